package dev.tokenmetrics.statusline;

/**
 * What the receiver's metrics file says about one session, today and the machine's active 5-hour block. Unknown
 * numbers are -1 (counts) or NaN (money); {@code sessionFound} is false when the file does not list the session;
 * {@code block} is null when the file has none.
 */
record Metrics(long timestampMillis, String fileModel, boolean sessionFound, long sessionTokens, double sessionCostUsd,
               long tokensPerMinute, String sessionModel, double todayCostUsd, Block block) {

    /** The active 5-hour block: its end, its cost so far and projected to its end (NaN when unpriced). */
    record Block(long endMillis, double costUsd, double projectedCostUsd) {
    }

    /**
     * Reads the file's top level, {@code today} and the one session, and stops there: the receiver writes today
     * before the sessions and the sessions most recent first, so the current session is found near the start.
     * Files in another order (older receivers wrote today last) are read to the end.
     */
    static Metrics parse(byte[] json, String sessionId) {
        long timestamp = -1;
        String fileModel = null;
        double todayCost = Double.NaN;
        boolean todaySeen = false;
        Metrics session = null;
        Block block = null;
        var reader = new JsonReader(json);
        if (!reader.beginObject()) {
            throw new JsonReader.Malformed("metrics file is null");
        }
        for (String key = reader.nextKey(); key != null; key = reader.nextKey()) {
            switch (key) {
                case "timestamp" -> timestamp = Times.parseIsoMillis(reader.stringOrNull());
                case "model" -> fileModel = reader.stringOrNull();
                case "today" -> {
                    todayCost = todayCost(reader);
                    todaySeen = true;
                }
                case "block" -> block = block(reader); // written before the sessions

                case "sessions" -> {
                    if (!reader.beginObject()) {
                        continue;
                    }
                    for (String id = reader.nextKey(); id != null; id = reader.nextKey()) {
                        if (session == null && id.equals(sessionId)) {
                            session = session(reader);
                            if (todaySeen && timestamp >= 0) {
                                return session.with(timestamp, fileModel, todayCost, block); // the usual, early exit
                            }
                        } else {
                            reader.skipValue();
                        }
                    }
                }
                default -> reader.skipValue();
            }
        }
        return session != null ? session.with(timestamp, fileModel, todayCost, block)
                : new Metrics(timestamp, fileModel, false, -1, Double.NaN, -1, null, todayCost, block);
    }

    private Metrics with(long timestamp, String fileModel, double todayCost, Block block) {
        return new Metrics(timestamp, fileModel, sessionFound, sessionTokens, sessionCostUsd, tokensPerMinute,
                sessionModel, todayCost, block);
    }

    /** The block's end and costs; null when it has no end the line could count down to. */
    private static Block block(JsonReader reader) {
        long end = -1;
        double cost = Double.NaN;
        double projected = Double.NaN;
        if (!reader.beginObject()) {
            return null;
        }
        for (String key = reader.nextKey(); key != null; key = reader.nextKey()) {
            switch (key) {
                case "end" -> end = Times.parseIsoMillis(reader.stringOrNull());
                case "costUsd" -> cost = reader.numberOrNaN();
                case "projectedCostUsd" -> projected = reader.numberOrNaN();
                default -> reader.skipValue();
            }
        }
        return end < 0 ? null : new Block(end, cost, projected);
    }

    private static double todayCost(JsonReader reader) {
        double cost = Double.NaN;
        if (reader.beginObject()) {
            for (String key = reader.nextKey(); key != null; key = reader.nextKey()) {
                if (key.equals("costUsd")) {
                    cost = reader.numberOrNaN();
                } else {
                    reader.skipValue();
                }
            }
        }
        return cost;
    }

    private static Metrics session(JsonReader reader) {
        long tokens = -1;
        double cost = Double.NaN;
        long burn = -1;
        String model = null;
        if (reader.beginObject()) {
            for (String key = reader.nextKey(); key != null; key = reader.nextKey()) {
                switch (key) {
                    case "tokens" -> tokens = tokenTotal(reader);
                    case "costUsd" -> cost = reader.numberOrNaN();
                    case "tokensPerMinute" -> burn = wholeOrMinusOne(reader.numberOrNaN());
                    case "model" -> model = reader.stringOrNull();
                    default -> reader.skipValue();
                }
            }
        }
        return new Metrics(-1, null, true, tokens, cost, burn, model, Double.NaN, null);
    }

    /** input + output + cacheRead + cacheCreation, summed here rather than trusting a total field. */
    private static long tokenTotal(JsonReader reader) {
        long total = 0;
        boolean any = false;
        if (reader.beginObject()) {
            for (String key = reader.nextKey(); key != null; key = reader.nextKey()) {
                switch (key) {
                    case "input", "output", "cacheRead", "cacheCreation" -> {
                        long value = wholeOrMinusOne(reader.numberOrNaN());
                        if (value >= 0) {
                            total += value;
                            any = true;
                        }
                    }
                    default -> reader.skipValue();
                }
            }
        }
        return any ? total : -1;
    }

    private static long wholeOrMinusOne(double value) {
        return Double.isNaN(value) || value < 0 || value > 9e15 ? -1 : Math.round(value);
    }
}
