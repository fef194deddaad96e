package dev.tokenmetrics.receiver.usage;

import dev.tokenmetrics.receiver.otlp.MalformedRequestException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads an api_request event's attributes into an {@link ApiCall}. Numbers arrive as ints, doubles or strings; each
 * is read from its text. A count that is not a whole, finite, non-negative number reads as 0, and a cost that is not
 * a finite non-negative decimal as absent: the ledger then prices the call or says it is unpriced.
 */
final class ApiCalls {

    private static final byte[] REQUEST_ID = key("request_id");
    private static final byte[] INPUT = key("input_tokens");
    private static final byte[] OUTPUT = key("output_tokens");
    private static final byte[] CACHE_READ = key("cache_read_tokens");
    private static final byte[] CACHE_CREATION = key("cache_creation_tokens");
    private static final byte[] CACHE_CREATION_5M = key("cache_creation_5m_tokens");
    private static final byte[] CACHE_CREATION_1H = key("cache_creation_1h_tokens");
    private static final byte[] COST = key("cost_usd");
    private static final byte[] DURATION = key("duration_ms");
    private static final byte[] TTFT = key("ttft_ms");
    private static final byte[] QUERY_SOURCE = key("query_source");
    private static final byte[] EFFORT = key("effort");
    private static final byte[] SPEED = key("speed");
    private static final byte[] AGENT_NAME = key("agent.name");
    private static final byte[] SKILL_NAME = key("skill.name");
    private static final byte[] PROMPT_ID = key("prompt.id");
    private static final byte[] USER_ID = key("user.id");
    private static final byte[] ORGANIZATION_ID = key("organization.id");
    private static final byte[] ACCOUNT_UUID = key("user.account_uuid");
    private static final byte[] SERVICE_VERSION = key("service.version");
    private static final byte[] PROJECT = key("project");
    private static final byte[] GIT_BRANCH = key("git.branch");

    private static final int MAX_NUMBER_LENGTH = 40;

    private ApiCalls() {
    }

    static ApiCall read(List<Attribute> event, List<Attribute> resource) throws MalformedRequestException {
        return new ApiCall(
                Attributes.find(event, REQUEST_ID, null),
                count(event, INPUT), count(event, OUTPUT), count(event, CACHE_READ), count(event, CACHE_CREATION),
                count(event, CACHE_CREATION_5M), count(event, CACHE_CREATION_1H),
                cost(Attributes.find(event, COST, null)),
                millis(event, DURATION), millis(event, TTFT),
                Attributes.find(event, QUERY_SOURCE, null), Attributes.find(event, EFFORT, null),
                Attributes.find(event, SPEED, null), Attributes.find(event, AGENT_NAME, null),
                Attributes.find(event, SKILL_NAME, null), Attributes.find(event, PROMPT_ID, null),
                Attributes.find(event, USER_ID, null), Attributes.find(event, ORGANIZATION_ID, null),
                Attributes.find(event, ACCOUNT_UUID, null), Attributes.find(event, Attributes.TERMINAL_TYPE_KEY, null),
                Attributes.find(resource, SERVICE_VERSION, null), Attributes.find(resource, PROJECT, null),
                Attributes.find(resource, GIT_BRANCH, null));
    }

    private static long count(List<Attribute> event, byte[] key) throws MalformedRequestException {
        BigDecimal number = number(Attributes.find(event, key, null));
        if (number == null || number.signum() < 0 || number.compareTo(BigDecimal.valueOf(PointRules.MAX_PLAUSIBLE_VALUE))
                > 0) {
            return 0;
        }
        try {
            return number.longValueExact();
        } catch (ArithmeticException fractional) {
            return 0;
        }
    }

    private static Long millis(List<Attribute> event, byte[] key) throws MalformedRequestException {
        BigDecimal number = number(Attributes.find(event, key, null));
        return number == null || number.signum() < 0 ? null : number.longValue();
    }

    private static String cost(String text) {
        BigDecimal number = number(text);
        return number == null || number.signum() < 0 ? null : number.toPlainString();
    }

    /**
     * The text as a number, or null: also for a number no event carries (past 40 characters, or an exponent that
     * would make its plain text long), since a client picks these values.
     */
    private static BigDecimal number(String text) {
        if (text == null || text.length() > MAX_NUMBER_LENGTH) {
            return null;
        }
        try {
            BigDecimal number = new BigDecimal(text.trim());
            return Math.abs(number.scale()) <= MAX_NUMBER_LENGTH ? number : null;
        } catch (NumberFormatException notANumber) { // NaN, Infinity, words
            return null;
        }
    }

    private static byte[] key(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
