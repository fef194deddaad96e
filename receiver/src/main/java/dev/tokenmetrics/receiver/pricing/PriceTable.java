package dev.tokenmetrics.receiver.pricing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prices by model, from a price file (format in docs/LEDGER.md: {@code {"models": {"<model>": {"input": 15,
 * "output": 75, "cache_read": 1.5, "cache_write_5m": 18.75, "cache_write_1h": 30}}}}, USD per million tokens). A
 * model id is looked up by its {@linkplain #normalize normal form}, exactly: no prefix matching, so a model the table
 * does not name stays unpriced rather than borrowing a relative's price.
 */
public final class PriceTable {

    public static final PriceTable EMPTY = new PriceTable(Map.of());
    private static final String SHIPPED = "prices.json";
    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern BRACKETED = Pattern.compile("\\[[^\\]]*\\]$");
    private static final Pattern BEDROCK_PREFIX = Pattern.compile("^(?:[a-z0-9-]+\\.)?anthropic\\.");
    private static final Pattern BEDROCK_VERSION = Pattern.compile("-v\\d+(?::\\d+)?$");
    private static final Pattern DATE = Pattern.compile("[-@]\\d{8}$");

    private final Map<String, Price> prices;

    private PriceTable(Map<String, Price> prices) {
        this.prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
    }

    /** The table in this program's jar: Anthropic's published prices (source and date in the file). */
    public static PriceTable shipped() {
        try (InputStream in = PriceTable.class.getResourceAsStream(SHIPPED)) {
            if (in == null) {
                throw new IllegalStateException("the shipped price table " + SHIPPED + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A model id as the table knows it: lower case, without a bracketed suffix ({@code [1m]}), a Bedrock region
     * and vendor prefix and version ({@code us.anthropic.…-v1:0}), or a release date ({@code -20250805},
     * {@code @20250805}).
     */
    public static String normalize(String model) {
        String id = model.trim().toLowerCase(Locale.ROOT);
        id = BRACKETED.matcher(id).replaceFirst("");
        id = BEDROCK_PREFIX.matcher(id).replaceFirst("");
        id = BEDROCK_VERSION.matcher(id).replaceFirst("");
        return DATE.matcher(id).replaceFirst("");
    }

    /** The model's prices, or {@code null} when the table does not name it. */
    public Price lookup(String model) {
        return prices.get(normalize(model));
    }

    public Set<String> models() {
        return prices.keySet();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PriceTable table && table.prices.equals(prices);
    }

    @Override
    public int hashCode() {
        return prices.hashCode();
    }

    /** This table with {@code overrides}' models replacing or adding to its own. */
    public PriceTable overriddenBy(PriceTable overrides) {
        var merged = new LinkedHashMap<>(prices);
        merged.putAll(overrides.prices);
        return new PriceTable(merged);
    }

    /**
     * Reads a price file; anything wrong with it (not JSON, no {@code models} object, a model without all five
     * prices, a negative price or one with more than 6 decimals) throws an {@link IllegalArgumentException} whose
     * message says what and where, in one line.
     */
    public static PriceTable parse(String json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            Map<String, Price> prices = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (field.equals("models")) {
                    prices = models(parser);
                } else {
                    parser.skipChildren(); // "source", "comment", …: for people
                }
            }
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("unexpected content after the JSON object");
            }
            if (prices == null) {
                throw new IllegalArgumentException("no \"models\" object");
            }
            return new PriceTable(prices);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Price> models(JsonParser parser) throws IOException {
        expect(parser, JsonToken.START_OBJECT, "\"models\"");
        var prices = new LinkedHashMap<String, Price>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String model = parser.currentName();
            parser.nextToken();
            try {
                prices.put(normalize(model), price(parser, true));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model \"" + model + "\": " + e.getMessage(), e);
            }
        }
        return prices;
    }

    /** A price object's numbers, and its long-prompt tier if it may have one. */
    private record Fields(Map<String, BigDecimal> numbers, Price.LongPrompt longPrompt) {
    }

    private static Price price(JsonParser parser, boolean mayHaveLongPrompt) throws IOException {
        Fields fields = fields(parser, mayHaveLongPrompt);
        return prices(fields.numbers(), fields.longPrompt());
    }

    private static Fields fields(JsonParser parser, boolean mayHaveLongPrompt) throws IOException {
        expect(parser, JsonToken.START_OBJECT, mayHaveLongPrompt ? "its prices" : "\"long_prompt\"");
        var numbers = new LinkedHashMap<String, BigDecimal>();
        Price.LongPrompt longPrompt = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("long_prompt") && mayHaveLongPrompt) {
                longPrompt = longPrompt(parser);
            } else if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
                numbers.put(field, parser.getDecimalValue());
            } else {
                parser.skipChildren();
                if (isPriceField(field) || field.equals("above_prompt_tokens")) {
                    throw new IllegalArgumentException("\"" + field + "\" is not a number");
                }
            }
        }
        return new Fields(numbers, longPrompt);
    }

    private static Price.LongPrompt longPrompt(JsonParser parser) throws IOException {
        Map<String, BigDecimal> numbers = fields(parser, false).numbers();
        long tokens;
        try {
            tokens = required(numbers, "above_prompt_tokens").longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"above_prompt_tokens\" is not a whole number", e);
        }
        return new Price.LongPrompt(tokens, prices(numbers, null));
    }

    private static Price prices(Map<String, BigDecimal> numbers, Price.LongPrompt longPrompt) {
        return new Price(required(numbers, "input"), required(numbers, "output"), required(numbers, "cache_read"),
                required(numbers, "cache_write_5m"), required(numbers, "cache_write_1h"), longPrompt);
    }

    private static boolean isPriceField(String field) {
        return switch (field) {
            case "input", "output", "cache_read", "cache_write_5m", "cache_write_1h" -> true;
            default -> false;
        };
    }

    private static BigDecimal required(Map<String, BigDecimal> numbers, String field) {
        BigDecimal value = numbers.get(field);
        if (value == null) {
            throw new IllegalArgumentException("no \"" + field + "\"");
        }
        return value;
    }

    private static void expect(JsonParser parser, JsonToken token, String what) {
        if (parser.currentToken() != token) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
    }
}
