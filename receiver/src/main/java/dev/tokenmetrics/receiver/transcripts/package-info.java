/**
 * Reads Claude Code's own record of every API request: its transcripts under {@code ~/.claude/projects}.
 *
 * <p>{@link dev.tokenmetrics.receiver.transcripts.TranscriptScanner} finds the transcripts (sessions and subagents)
 * and hands each one's new complete lines to {@link dev.tokenmetrics.receiver.transcripts.TranscriptReader}, which
 * streams them through jackson-core, decoding only a request's or a cost state's few fields. Data flows one way:
 * files → {@link dev.tokenmetrics.receiver.transcripts.TranscriptChunk} per file →
 * {@link dev.tokenmetrics.receiver.transcripts.ScanResult}; nothing here writes anywhere.
 *
 * <h2>How a ledger consumes a scan</h2>
 * <ol>
 *   <li>{@code scan(state, sink)} with the {@link dev.tokenmetrics.receiver.transcripts.ScanState} it stored last
 *       ({@code ScanState.EMPTY} the first time).
 *   <li>The sink gets each {@link dev.tokenmetrics.receiver.transcripts.TranscriptUpdate}, in path order: if it
 *       {@linkplain dev.tokenmetrics.receiver.transcripts.TranscriptUpdate#replacesEarlierRows() replaces earlier
 *       rows}, drop what was taken from that transcript first. Then upsert each request by
 *       {@link dev.tokenmetrics.receiver.transcripts.TranscriptRequest#key()} (message id and request id), the later
 *       one winning: a reply still streaming when one scan read it comes again, grown, in the next, and older Claude
 *       Code copied a session's history into the file of a session resumed from it.
 *   <li>Store the returned {@link dev.tokenmetrics.receiver.transcripts.ScanResult}'s state after the rows (or
 *       with the last of them), so that a crash between them re-reads (harmless with the upsert) rather than
 *       skips. A sink that throws ends the scan: nothing is lost, the old state still stands.
 *   <li>{@code removed} transcripts are gone from disk (Claude Code deletes old ones): keep their rows.
 *       {@code failed} ones kept their previous state and are tried again by the next scan.
 * </ol>
 *
 * <h2>Cost</h2>
 * A {@link dev.tokenmetrics.receiver.transcripts.CostState} is Claude Code's running total for its session, written
 * to the session's transcript (a subagent's requests are counted in its session's totals, though they are written
 * to the subagent's transcript). How often is Claude Code's choice: in the 2.1.330 samples, once per process, at its
 * end, so that one {@code -p} run of four requests left a single cost state. Ordered by offset within the
 * session's file, {@link dev.tokenmetrics.receiver.transcripts.CostState#stepSince} gives, per model, what the
 * requests between two consecutive cost states cost: exact for a request alone in its step (per model), a sum to
 * share out where a step covers several. Totals carry across {@code --resume}; a cost state has no timestamp of its
 * own.
 *
 * <p>Every type here is immutable except the reader and scanner, which hold only their configuration and are
 * thread-safe.
 */
package dev.tokenmetrics.receiver.transcripts;
