package dev.tokenmetrics.receiver.usage;

import static dev.tokenmetrics.receiver.Otlp.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExportCollectorTest {

    @Test
    void countsEveryRejectionButTellsOnlyTheFirstThreeDistinctReasons() {
        var export = new ExportCollector();
        export.reject(2, "a");
        export.reject(1, "a");
        export.reject(1, "b");
        export.reject(0, "c");
        export.reject(5, "d");

        Extraction extraction = export.extraction(0);

        assertEquals(9, extraction.rejected());
        assertEquals("a; b; c", extraction.errorMessage());
    }

    @Test
    void aSessionIsDescribedByItsFirstItemOnly() throws Exception {
        var resource = AttributesTest.attributes(kv("service.version", "2.1.330"));
        var export = new ExportCollector();

        assertFalse(export.knowsSession("s"));
        export.session("s", resource, "xterm");
        export.session("s", List.of(), "vscode");
        export.session("", resource, "xterm");

        assertTrue(export.knowsSession("s"));
        assertEquals(List.of(new SessionResource("s", Map.of("service.version", "2.1.330", "terminal.type", "xterm"))),
                export.extraction(0).batch().resources(), "no session for items without one");
    }

    @Test
    void theExtractionHoldsWhatWasCollectedInOrderStampedWithItsReceiveTime() {
        var export = new ExportCollector();
        var first = new ApiRequest("s", "m", 1, 10);
        var second = new ApiRequest("s", "m", 2, 20);
        export.apiRequest(first);
        export.apiRequest(second);

        Extraction extraction = export.extraction(1234);

        assertEquals(List.of(first, second), extraction.batch().apiRequests());
        assertEquals(1234, extraction.batch().receivedNanos());
        assertEquals(0, extraction.rejected());
        assertEquals("", extraction.errorMessage());
    }
}
