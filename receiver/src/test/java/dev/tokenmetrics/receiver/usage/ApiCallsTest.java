package dev.tokenmetrics.receiver.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tokenmetrics.receiver.Otlp;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What an api_request event says of its call, read as the ledger needs it, whatever a client puts there. */
class ApiCallsTest {

    private static ApiCall call(ExportLogsServiceRequest request) throws Exception {
        return new UsageExtractor().logs(request.toByteArray()).batch().apiRequests().get(0).call();
    }

    /** Claude Code's event with one attribute replaced by a string value. */
    private static ExportLogsServiceRequest withText(String key, String value) {
        var request = Otlp.apiRequest("s1", "req_1", Instant.parse("2026-12-01T08:00:00Z"), 1011, 41, "0.005024")
                .toBuilder();
        var record = request.getResourceLogsBuilder(0).getScopeLogsBuilder(0).getLogRecordsBuilder(0);
        for (int i = 0; i < record.getAttributesCount(); i++) {
            if (record.getAttributes(i).getKey().equals(key)) {
                record.removeAttributes(i);
                break;
            }
        }
        record.addAttributes(KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)));
        return request.build();
    }

    @Test
    void claudeCodesEventGivesTheCallsIdentityTokensAndCost() throws Exception {
        ApiCall call = call(Otlp.apiRequest("s1", "req_1", Instant.parse("2026-12-01T08:00:00Z"), 1011, 41,
                "0.005024000000000001"));
        assertEquals("req_1", call.requestId());
        assertEquals(1011, call.inputTokens());
        assertEquals(41, call.outputTokens());
        assertEquals("0.005024000000000001", call.costUsd(), "the decimal Claude Code sent, to the last digit");
        assertEquals("sdk", call.querySource());
        assertEquals("2.1.331", call.version());
    }

    @Test
    void numbersSentAsTextAreReadAndNonsenseIsLeftOut() throws Exception {
        assertEquals(1011, call(withText("input_tokens", "1011")).inputTokens());
        assertEquals(0, call(withText("input_tokens", "-5")).inputTokens(), "not a count");
        assertEquals(0, call(withText("input_tokens", "10.5")).inputTokens(), "not a whole count");
        assertEquals(0, call(withText("input_tokens", "NaN")).inputTokens());
        assertNull(call(withText("cost_usd", "Infinity")).costUsd(), "no cost rather than a wrong one");
        assertNull(call(withText("cost_usd", "-0.1")).costUsd());
    }

    @Test
    void aHugeExponentIsNoNumberRatherThanAGigabyteOfDigits() throws Exception {
        assertNull(call(withText("cost_usd", "1E999999999")).costUsd());
        assertNull(call(withText("cost_usd", "1E-999999999")).costUsd());
        assertEquals(0, call(withText("input_tokens", "1E999999999")).inputTokens());
        assertNull(call(withText("duration_ms", "1E999999999")).durationMs());
        assertNull(call(withText("cost_usd", "1" + "0".repeat(100))).costUsd(), "longer than any real number");
    }
}
