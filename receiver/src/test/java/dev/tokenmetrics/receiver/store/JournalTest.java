package dev.tokenmetrics.receiver.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A segment read back after damage: every intact record survives, and what could not be read is said. */
class JournalTest {

    private static final List<byte[]> RECORDS = List.of(bytes("first record"), bytes("the second, a little longer"),
            bytes("third"));
    private static final int HEADER_BYTES = 12;
    private static final int FRAME_BYTES = 20;

    @TempDir
    Path dir;

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private Path written(long sequence, List<byte[]> records) throws Exception {
        try (Journal journal = Journal.create(dir, sequence, null, Journal.Opener.FILES)) {
            for (byte[] record : records) {
                journal.appendDurably(List.of(record));
            }
        }
        return Journal.pathOf(dir, sequence);
    }

    /** The record whose frame or payload holds the byte at the offset, or -1 for the header. */
    private static int recordAt(int offset) {
        int start = HEADER_BYTES;
        for (int i = 0; i < RECORDS.size(); i++) {
            int end = start + FRAME_BYTES + RECORDS.get(i).length;
            if (offset < end) {
                return offset < HEADER_BYTES ? -1 : i;
            }
            start = end;
        }
        throw new IllegalArgumentException("offset " + offset + " is past the records");
    }

    @Test
    void anIntactSegmentReadsBackWhole() throws Exception {
        Journal.Contents contents = Journal.read(written(7, RECORDS));
        assertEquals(RECORDS.size(), contents.records().size());
        for (int i = 0; i < RECORDS.size(); i++) {
            assertArrayEquals(RECORDS.get(i), contents.records().get(i));
        }
        assertTrue(contents.damage().isEmpty());
    }

    @Test
    void aFlippedByteAnywhereCostsAtMostTheRecordThatHoldsItAndIsReported() throws Exception {
        Path segment = written(7, RECORDS);
        byte[] original = Files.readAllBytes(segment);
        for (int offset = 0; offset < original.length - FRAME_BYTES; offset++) { // all but the end's zeros
            byte[] damaged = original.clone();
            damaged[offset] ^= 0x40;
            Files.write(segment, damaged);

            Journal.Contents contents = Journal.read(segment);

            int hit = recordAt(offset);
            var expected = new ArrayList<byte[]>(RECORDS);
            if (hit >= 0) {
                expected.remove(hit);
            }
            assertEquals(expected.size(), contents.records().size(), "records kept after a flip at " + offset);
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), contents.records().get(i), "record " + i + ", flip at " + offset);
            }
            assertEquals(1, contents.damage().size(), "one damaged stretch reported for a flip at " + offset);
            Journal.Damage damage = contents.damage().get(0);
            assertTrue(damage.offset() <= offset && offset < damage.offset() + damage.bytes(),
                    "the reported stretch " + damage + " holds the flipped byte " + offset);
            assertEquals(hit == RECORDS.size() - 1, damage.atEnd(), "only the last record's damage is at the end");
        }
    }

    @Test
    void aFlippedByteInTheZerosAfterTheLastRecordLosesNothing() throws Exception {
        Path segment = written(7, RECORDS);
        byte[] damaged = Files.readAllBytes(segment);
        damaged[damaged.length - 5] = 1;
        Files.write(segment, damaged);
        Journal.Contents contents = Journal.read(segment);
        assertEquals(RECORDS.size(), contents.records().size());
        assertTrue(contents.damage().get(0).atEnd());
    }

    @Test
    void aRecycledFilesOlderRecordsEndTheSegmentWithoutBeingTakenForDamage() throws Exception {
        Path old = written(3, RECORDS);
        Path spare = Files.move(old, dir.resolve("spare-journal"));
        try (Journal journal = Journal.create(dir, 9, spare, Journal.Opener.FILES)) {
            journal.appendDurably(List.of(bytes("new")));
        }
        Journal.Contents contents = Journal.read(Journal.pathOf(dir, 9));
        assertEquals(1, contents.records().size());
        assertArrayEquals(bytes("new"), contents.records().get(0));
        assertTrue(contents.damage().isEmpty(), "stale records of sequence 3 are the end, not damage");
    }

    @Test
    void aTornLastWriteIsReportedAsTheSegmentsEnd() throws Exception {
        Path segment = written(7, RECORDS);
        byte[] whole = Files.readAllBytes(segment);
        for (int cut = 1; cut < FRAME_BYTES + RECORDS.get(2).length; cut++) {
            Files.write(segment, java.util.Arrays.copyOf(whole, whole.length - FRAME_BYTES - cut));
            Journal.Contents contents = Journal.read(segment);
            assertEquals(2, contents.records().size(), "cut " + cut);
            assertEquals(1, contents.damage().size(), "cut " + cut);
            assertTrue(contents.damage().get(0).atEnd(), "cut " + cut);
        }
    }

    @Test
    void segmentsOfTheFirstFormatAreStillRead() throws Exception {
        // length, CRC32C(sequence, payload), payload: the format before record markers
        var crc = new java.util.zip.CRC32C();
        var file = java.nio.ByteBuffer.allocate(64).putInt(0x544A5247).putLong(5);
        byte[] payload = bytes("old");
        for (int shift = 56; shift >= 0; shift -= 8) {
            crc.update((int) (5L >>> shift));
        }
        crc.update(payload);
        file.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        Files.write(Journal.pathOf(dir, 5), java.util.Arrays.copyOf(file.array(), file.position()));

        Journal.Contents contents = Journal.read(Journal.pathOf(dir, 5));
        assertEquals(1, contents.records().size());
        assertArrayEquals(payload, contents.records().get(0));
        assertFalse(contents.damage().iterator().hasNext());
    }
}
