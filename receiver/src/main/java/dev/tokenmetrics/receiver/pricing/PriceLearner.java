package dev.tokenmetrics.receiver.pricing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Learns each model's prices from requests whose exact cost is known (this machine's telemetry): the least-squares
 * solution of cost = Σ tokens × price over the five token types, rounded to whole 10^-6 USD per million tokens, and
 * trusted only if it reproduces those requests' costs (see {@link #TOLERANCE_USD}). Claude Code prices a model by a
 * fixed table, so a trusted price is that table's. Everything is exact: the sums of the normal equations are kept in
 * integers and decimals as requests are added (so adding is cheap and learning needs no second look at them), and
 * solved by exact determinants.
 */
public final class PriceLearner {

    /**
     * How closely learned prices must reproduce the costs they were learned from: the square root of the sum of
     * the squared differences (which bounds every single difference) at most 10^-9 USD.
     */
    public static final BigDecimal TOLERANCE_USD = new BigDecimal("0.000000001");
    private static final BigDecimal TOLERANCE_SQUARED = TOLERANCE_USD.multiply(TOLERANCE_USD);
    private static final int TYPES = 5; // input, output, cache read, cache write 5m, cache write 1h
    private static final int PRICE_DECIMALS = 6; // USD per million tokens

    private final Map<String, Sums> sums = new HashMap<>();

    /** Adds a request of the model that cost exactly {@code costUsd}. */
    public void add(String model, TokenCounts tokens, BigDecimal costUsd) {
        sums.computeIfAbsent(model, m -> new Sums()).add(features(tokens), costUsd);
    }

    /** The models whose prices the requests added so far determine and reproduce. */
    public Map<String, Price> learned() {
        var learned = new HashMap<String, Price>();
        sums.forEach((model, modelSums) -> {
            Price price = modelSums.solve();
            if (price != null) {
                learned.put(model, price);
            }
        });
        return learned;
    }

    private static long[] features(TokenCounts tokens) {
        return new long[] {tokens.input(), tokens.output(), tokens.cacheRead(), tokens.cacheWrite5m(),
                tokens.cacheWrite1h()};
    }

    /** The normal equations' sums for one model: XᵀX, Xᵀy and yᵀy, and the number of requests. */
    private static final class Sums {
        private final BigInteger[][] xx = new BigInteger[TYPES][TYPES];
        private final BigDecimal[] xy = new BigDecimal[TYPES];
        private BigDecimal yy = BigDecimal.ZERO;
        private long requests;

        Sums() {
            for (int i = 0; i < TYPES; i++) {
                xy[i] = BigDecimal.ZERO;
                for (int j = 0; j < TYPES; j++) {
                    xx[i][j] = BigInteger.ZERO;
                }
            }
        }

        void add(long[] x, BigDecimal y) {
            requests++;
            yy = yy.add(y.multiply(y));
            for (int i = 0; i < TYPES; i++) {
                if (x[i] == 0) {
                    continue;
                }
                xy[i] = xy[i].add(y.multiply(BigDecimal.valueOf(x[i])));
                for (int j = i; j < TYPES; j++) {
                    if (x[j] != 0) {
                        xx[i][j] = xx[i][j].add(BigInteger.valueOf(x[i]).multiply(BigInteger.valueOf(x[j])));
                    }
                }
            }
        }

        private BigInteger xx(int i, int j) {
            return i <= j ? xx[i][j] : xx[j][i];
        }

        /** The prices, or null when the requests do not determine them or the solution does not reproduce them. */
        Price solve() {
            var seen = new ArrayList<Integer>(); // types with tokens in some request; the others stay unpriced
            for (int i = 0; i < TYPES; i++) {
                if (xx[i][i].signum() > 0) {
                    seen.add(i);
                }
            }
            int k = seen.size();
            if (k == 0 || requests < k + 1L) { // one request more than unknowns, so that the check can fail
                return null;
            }
            int scale = 0;
            for (int i : seen) {
                scale = Math.max(scale, xy[i].scale());
            }
            var a = new BigInteger[k][k];
            var b = new BigInteger[k];
            for (int r = 0; r < k; r++) {
                for (int c = 0; c < k; c++) {
                    a[r][c] = xx(seen.get(r), seen.get(c));
                }
                b[r] = xy[seen.get(r)].setScale(scale, RoundingMode.UNNECESSARY).unscaledValue();
            }
            BigInteger det = determinant(a);
            if (det.signum() == 0) {
                return null; // the requests seen do not tell the types apart
            }
            var perMillion = new BigDecimal[TYPES];
            for (int c = 0; c < k; c++) { // Cramer's rule: exact
                var replaced = new BigInteger[k][];
                for (int r = 0; r < k; r++) {
                    replaced[r] = a[r].clone();
                    replaced[r][c] = b[r];
                }
                BigDecimal usdPerToken = new BigDecimal(determinant(replaced)).movePointLeft(scale)
                        .divide(new BigDecimal(det), PRICE_DECIMALS + 6 + 20, RoundingMode.HALF_EVEN);
                BigDecimal price = usdPerToken.movePointRight(6).setScale(PRICE_DECIMALS, RoundingMode.HALF_EVEN);
                if (price.signum() < 0) {
                    return null;
                }
                perMillion[seen.get(c)] = price;
            }
            return reproduces(perMillion) ? new Price(perMillion[0], perMillion[1], perMillion[2], perMillion[3],
                    perMillion[4], null) : null;
        }

        /** Whether Σ (cost − tokens·price)² = yᵀy − 2 pᵀXᵀy + pᵀXᵀXp is within the tolerance, computed exactly. */
        private boolean reproduces(BigDecimal[] perMillion) {
            var p = new BigDecimal[TYPES];
            for (int i = 0; i < TYPES; i++) {
                p[i] = perMillion[i] == null ? BigDecimal.ZERO : perMillion[i].movePointLeft(6);
            }
            BigDecimal squares = yy;
            for (int i = 0; i < TYPES; i++) {
                squares = squares.subtract(BigDecimal.valueOf(2).multiply(p[i]).multiply(xy[i]));
                for (int j = 0; j < TYPES; j++) {
                    squares = squares.add(p[i].multiply(new BigDecimal(xx(i, j))).multiply(p[j]));
                }
            }
            return squares.compareTo(TOLERANCE_SQUARED) <= 0;
        }
    }

    /** An integer matrix's determinant, exact (Bareiss's fraction-free elimination). */
    static BigInteger determinant(BigInteger[][] matrix) {
        int n = matrix.length;
        var m = new BigInteger[n][];
        for (int i = 0; i < n; i++) {
            m[i] = matrix[i].clone();
        }
        int sign = 1;
        BigInteger previous = BigInteger.ONE;
        for (int k = 0; k < n - 1; k++) {
            if (m[k][k].signum() == 0) {
                int swap = k + 1;
                while (swap < n && m[swap][k].signum() == 0) {
                    swap++;
                }
                if (swap == n) {
                    return BigInteger.ZERO;
                }
                BigInteger[] row = m[k];
                m[k] = m[swap];
                m[swap] = row;
                sign = -sign;
            }
            for (int i = k + 1; i < n; i++) {
                for (int j = k + 1; j < n; j++) {
                    m[i][j] = m[i][j].multiply(m[k][k]).subtract(m[i][k].multiply(m[k][j])).divide(previous);
                }
            }
            previous = m[k][k];
        }
        BigInteger det = m[n - 1][n - 1];
        return sign < 0 ? det.negate() : det;
    }
}
