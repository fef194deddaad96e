package dev.tokenmetrics.statusline;

/** Number formatting without java.text or String.format, which are slow to load. */
final class Numbers {

    private Numbers() {
    }

    /** 54231 → "54,231". */
    static String grouped(long value) {
        String digits = Long.toString(Math.abs(value));
        var out = new StringBuilder(digits.length() + digits.length() / 3 + 1);
        if (value < 0) {
            out.append('-');
        }
        int lead = digits.length() % 3 == 0 ? 3 : digits.length() % 3;
        out.append(digits, 0, lead);
        for (int i = lead; i < digits.length(); i += 3) {
            out.append(',').append(digits, i, i + 3);
        }
        return out.toString();
    }

    /** 0.149 → "$0.15": dollars and cents, rounded half up, thousands grouped. */
    static String dollars(double usd) {
        long cents = Math.round(usd * 100);
        long rest = cents % 100;
        return "$" + grouped(cents / 100) + (rest < 10 ? ".0" : ".") + rest;
    }
}
