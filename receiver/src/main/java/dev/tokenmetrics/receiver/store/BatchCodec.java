package dev.tokenmetrics.receiver.store;

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
 * and read as received at an unknown time.
 */
final class BatchCodec {

    private static final int WITH_RECEIVE_TIME = -2;

    private BatchCodec() {
    }

    static byte[] encode(UsageBatch batch) {
        var bytes = new ByteArrayOutputStream(64 + batch.points().size() * 96);
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(WITH_RECEIVE_TIME);
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
            if (pointCount == WITH_RECEIVE_TIME) {
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
                requests.add(new ApiRequest(in.readUTF(), in.readUTF(), in.readLong(), in.readLong()));
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

}
