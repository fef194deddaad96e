package dev.tokenmetrics.receiver.store;

import dev.tokenmetrics.receiver.usage.ApiCall;
import dev.tokenmetrics.receiver.usage.ApiRequest;
import dev.tokenmetrics.receiver.usage.Metric;
import dev.tokenmetrics.receiver.usage.SessionResource;
import dev.tokenmetrics.receiver.usage.StreamId;
import dev.tokenmetrics.receiver.usage.Temporality;
import dev.tokenmetrics.receiver.usage.TokenType;
import dev.tokenmetrics.receiver.usage.UsageBatch;
import dev.tokenmetrics.receiver.usage.UsagePoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * The journal's record format for one usage batch. A record opens with a negative version marker followed by the
 * receive time; records written before receive times were open directly with their point count (never negative),
 * and read as received at an unknown time. Since version -3 each API request carries its call's details (for the
 * ledger); older records read with none.
 */
final class BatchCodec {

    private static final int WITH_RECEIVE_TIME = -2;
    private static final int WITH_API_CALLS = -3;

    private BatchCodec() {
    }

    static byte[] encode(UsageBatch batch) {
        var bytes = new ByteArrayOutputStream(64 + batch.points().size() * 96);
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(WITH_API_CALLS);
            out.writeLong(batch.receivedNanos());
            out.writeInt(batch.points().size());
            for (UsagePoint point : batch.points()) {
                out.writeLong(point.stream().high());
                out.writeLong(point.stream().low());
                out.writeByte(point.metric().ordinal());
                out.writeByte(point.temporality().ordinal());
                out.writeUTF(point.sessionId());
                out.writeUTF(point.model());
                out.writeByte(point.tokenType() == null ? -1 : point.tokenType().ordinal());
                out.writeLong(point.startNanos());
                out.writeLong(point.timeNanos());
                out.writeDouble(point.value());
            }
            out.writeInt(batch.apiRequests().size());
            for (ApiRequest request : batch.apiRequests()) {
                out.writeUTF(request.sessionId());
                out.writeUTF(request.model());
                out.writeLong(request.timeNanos());
                out.writeLong(request.eventKey());
                writeCall(request.call(), out);
            }
            out.writeInt(batch.resources().size());
            for (SessionResource resource : batch.resources()) {
                out.writeUTF(resource.sessionId());
                out.writeInt(resource.attributes().size());
                for (var attribute : resource.attributes().entrySet()) {
                    out.writeUTF(attribute.getKey());
                    out.writeUTF(attribute.getValue());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return bytes.toByteArray();
    }

    static UsageBatch decode(byte[] record) throws IOException {
        try (var in = new DataInputStream(new ByteArrayInputStream(record))) {
            int pointCount = in.readInt();
            long receivedNanos = UsageBatch.RECEIVED_UNKNOWN;
            boolean withCalls = pointCount == WITH_API_CALLS;
            if (pointCount == WITH_RECEIVE_TIME || withCalls) {
                receivedNanos = in.readLong();
                pointCount = in.readInt();
            } else if (pointCount < 0) {
                throw new IOException("unknown journal record version " + pointCount);
            }
            var points = new ArrayList<UsagePoint>(Math.min(pointCount, 1024));
            for (int i = 0; i < pointCount; i++) {
                var stream = new StreamId(in.readLong(), in.readLong());
                Metric metric = Metric.values()[in.readByte()];
                Temporality temporality = Temporality.values()[in.readByte()];
                String sessionId = in.readUTF();
                String model = in.readUTF();
                int type = in.readByte();
                points.add(new UsagePoint(stream, metric, temporality, sessionId, model,
                        type < 0 ? null : TokenType.values()[type], in.readLong(), in.readLong(), in.readDouble()));
            }
            int requestCount = in.readInt();
            var requests = new ArrayList<ApiRequest>(Math.min(requestCount, 1024));
            for (int i = 0; i < requestCount; i++) {
                requests.add(new ApiRequest(in.readUTF(), in.readUTF(), in.readLong(), in.readLong(),
                        withCalls ? readCall(in) : null));
            }
            int resourceCount = in.readInt();
            var resources = new ArrayList<SessionResource>(Math.min(resourceCount, 1024));
            for (int i = 0; i < resourceCount; i++) {
                String sessionId = in.readUTF();
                int attributeCount = in.readInt();
                var attributes = new LinkedHashMap<String, String>();
                for (int a = 0; a < attributeCount; a++) {
                    attributes.put(in.readUTF(), in.readUTF());
                }
                resources.add(new SessionResource(sessionId, attributes));
            }
            return new UsageBatch(points, requests, resources, receivedNanos);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IOException("corrupt journal record", e);
        }
    }

    private static void writeCall(ApiCall call, DataOutputStream out) throws IOException {
        out.writeBoolean(call != null);
        if (call == null) {
            return;
        }
        writeText(call.requestId(), out);
        out.writeLong(call.inputTokens());
        out.writeLong(call.outputTokens());
        out.writeLong(call.cacheReadTokens());
        out.writeLong(call.cacheCreationTokens());
        out.writeLong(call.cacheCreation5mTokens());
        out.writeLong(call.cacheCreation1hTokens());
        writeText(call.costUsd(), out);
        writeNumber(call.durationMs(), out);
        writeNumber(call.ttftMs(), out);
        for (String text : new String[] {call.querySource(), call.effort(), call.speed(), call.agentName(),
                call.skillName(), call.promptId(), call.userId(), call.organizationId(), call.accountUuid(),
                call.terminal(), call.version(), call.project(), call.gitBranch()}) {
            writeText(text, out);
        }
    }

    private static ApiCall readCall(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        return new ApiCall(readText(in), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                in.readLong(), readText(in), readNumber(in), readNumber(in), readText(in), readText(in), readText(in),
                readText(in), readText(in), readText(in), readText(in), readText(in), readText(in), readText(in),
                readText(in), readText(in), readText(in));
    }

    private static void writeText(String text, DataOutputStream out) throws IOException {
        out.writeBoolean(text != null);
        if (text != null) {
            out.writeUTF(text);
        }
    }

    private static String readText(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeNumber(Long number, DataOutputStream out) throws IOException {
        out.writeBoolean(number != null);
        if (number != null) {
            out.writeLong(number);
        }
    }

    private static Long readNumber(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }
}
