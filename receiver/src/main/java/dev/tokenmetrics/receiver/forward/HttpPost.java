package dev.tokenmetrics.receiver.forward;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The sender's HTTP/1.1 client: one POST at a time over a connection it keeps between posts (keep-alive), the body
 * sent with a Content-Length, the answer read whole (Content-Length, chunked, or up to the connection's close).
 * The JDK's {@code java.net.http} client costs the daemon about 3 ms of CPU a request, run by the interpreter under
 * the launcher's compile thresholds (its layers of futures, publishers and a selector thread per client); this is
 * a few straight-line reads and writes on the sender's own thread.
 * <p>
 * Each post must be done within the timeout, resolving the host's name and connecting included: the name is looked up
 * by a {@link Resolver}, waited for until the deadline; a watchdog closes the connection at the deadline (a blocking
 * write to a server that stopped reading has no timeout of its own); the post fails with
 * {@link SocketTimeoutException}. A kept connection the server closed while idle is found out by the next post,
 * which is sent once more on a new connection if nothing of an answer had arrived. Redirects are answers like any
 * other (never followed). https uses the JDK's default trust store and checks the host name. Not thread-safe, but
 * {@link #abort} may be called from any thread: the daemon's way to stop a post under way.
 */
final class HttpPost implements AutoCloseable {

    /** An answer: its status, its Retry-After header (null when none) and its body (at most {@link #MAX_BODY}). */
    record Response(int status, String retryAfter, byte[] body) {
    }

    static final int MAX_BODY = 1 << 20;
    private static final int MAX_HEAD = 64 * 1024;

    private final Duration timeout;
    private final String userAgent;
    private final List<ForwardConfig.Header> headers;
    private final ScheduledThreadPoolExecutor watchdog;
    private final Resolver resolver;
    private long deadline; // System.nanoTime() by which the post under way must be done
    private final ReusableBytes head = new ReusableBytes(1024, 64 * 1024);
    private volatile Socket socket; // what the post reads and writes: the TLS socket for https
    private volatile Socket plain; // the TCP socket under it: what abort() closes (see there)
    private long posts; // each post's number: a watchdog that fires as its post ends must not touch the next
    private InputStream in;
    private OutputStream out;
    private String connectedTo; // scheme://host:port of the kept connection
    private volatile boolean timedOut;

    HttpPost(Duration timeout, String userAgent, List<ForwardConfig.Header> headers) {
        this(timeout, userAgent, headers, Resolver.Lookup.SYSTEM);
    }

    HttpPost(Duration timeout, String userAgent, List<ForwardConfig.Header> headers, Resolver.Lookup lookup) {
        this.resolver = new Resolver(lookup);
        this.timeout = timeout;
        this.userAgent = userAgent;
        this.headers = headers;
        this.watchdog = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "forward-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        this.watchdog.setRemoveOnCancelPolicy(true);
    }

    /**
     * Posts {@code body[offset, offset + length)} with the protobuf content type ({@code gzip}: the body is gzip
     * and says so) and reads the answer. Throws when there is no answer: the connection failed, was closed, the
     * answer was not HTTP, or the timeout passed ({@link SocketTimeoutException}); the connection is dropped then.
     */
    Response post(URI endpoint, boolean gzip, byte[] body, int offset, int length) throws IOException {
        timedOut = false;
        deadline = System.nanoTime() + timeout.toNanos();
        long post = ++posts;
        ScheduledFuture<?> guard = watchdog.schedule(() -> {
            synchronized (this) {
                if (posts != post) {
                    return; // that post ended as this fired
                }
                timedOut = true;
            }
            abort();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return exchange(endpoint, gzip, body, offset, length);
        } catch (IOException e) {
            disconnect();
            if (timedOut && !(e instanceof SocketTimeoutException)) {
                var late = new SocketTimeoutException("no answer within " + timeout.toMillis() + " ms");
                late.initCause(e);
                throw late;
            }
            throw e;
        } finally {
            guard.cancel(false);
            synchronized (this) {
                posts++; // a watchdog still running for this post now leaves the connection alone
            }
        }
    }

    private Response exchange(URI endpoint, boolean gzip, byte[] body, int offset, int length) throws IOException {
        String scheme = endpoint.getScheme().toLowerCase(Locale.ROOT);
        String host = endpoint.getHost();
        int port = endpoint.getPort() != -1 ? endpoint.getPort() : scheme.equals("https") ? 443 : 80;
        String key = scheme + "://" + host + ":" + port;
        boolean reused = socket != null && key.equals(connectedTo);
        if (reused && in.available() > 0) {
            reused = false; // bytes nobody asked for (a proxy's 408 before it closes): not this post's answer
        }
        if (!reused) {
            disconnect();
            connect(scheme, host, port);
            connectedTo = key;
        }
        writeHead(endpoint, host, gzip, length);
        try {
            return send(body, offset, length);
        } catch (NoAnswer e) {
            if (!reused || timedOut) {
                throw e;
            }
        }
        // The kept connection was closed by the server while idle (nothing of an answer came back): once more on
        // a new one.
        disconnect();
        connect(scheme, host, port);
        connectedTo = key;
        return send(body, offset, length);
    }

    /**
     * Writes the head and body and reads the answer. A server may answer before it has read the whole body (a
     * 413, a 401) and close: the write then fails, and the answer it sent, when it can still be read, is the one.
     */
    private Response send(byte[] body, int offset, int length) throws IOException {
        try {
            out.write(head.array(), 0, head.size());
            out.write(body, offset, length);
            out.flush();
        } catch (IOException writeFailed) {
            if (timedOut) {
                throw writeFailed;
            }
            try {
                return readResponse();
            } catch (NoAnswer nothing) {
                var none = new NoAnswer();
                none.initCause(writeFailed);
                throw none;
            } catch (IOException partOfAnAnswer) {
                writeFailed.addSuppressed(partOfAnAnswer);
                throw writeFailed;
            }
        }
        return readResponse();
    }

    private void connect(String scheme, String host, int port) throws IOException {
        String address = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress resolved = resolver.resolve(address, deadline - System.nanoTime());
        var plain = new Socket();
        this.plain = plain;
        socket = plain; // from here on, abort() can close it
        if (timedOut) {
            plain.close();
        }
        plain.setTcpNoDelay(true); // a head and a body in two writes: never held back waiting for an ACK
        plain.connect(new InetSocketAddress(resolved, port), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Socket connected = plain;
        if (scheme.equals("https")) {
            SSLSocket tls;
            try {
                tls = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, address, port, true);
            } catch (NoSuchAlgorithmException e) {
                plain.close();
                throw new IOException("no TLS: " + e.getMessage(), e);
            }
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            tls.setSSLParameters(parameters);
            socket = tls;
            tls.startHandshake();
            connected = tls;
        }
        in = new BufferedInputStream(connected.getInputStream(), 8192);
        out = connected.getOutputStream();
    }

    private void writeHead(URI endpoint, String host, boolean gzip, int length) {
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        head.reset();
        ascii("POST ").ascii(path);
        if (endpoint.getRawQuery() != null) {
            ascii("?").ascii(endpoint.getRawQuery());
        }
        ascii(" HTTP/1.1\r\nHost: ").ascii(host);
        if (endpoint.getPort() != -1) {
            ascii(":").ascii(Integer.toString(endpoint.getPort()));
        }
        ascii("\r\nContent-Type: application/x-protobuf\r\nUser-Agent: ").ascii(userAgent);
        if (gzip) {
            ascii("\r\nContent-Encoding: gzip");
        }
        ascii("\r\nContent-Length: ").ascii(Integer.toString(length));
        for (ForwardConfig.Header header : headers) {
            ascii("\r\n").ascii(header.name()).ascii(": ").ascii(header.value());
        }
        ascii("\r\n\r\n");
    }

    /** Appends the text as ISO-8859-1 (header values were checked to be such, without CR, LF or NUL). */
    private HttpPost ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            head.write(text.charAt(i));
        }
        return this;
    }

    /** The connection ended before any byte of an answer: a kept one the server closed, most likely. */
    private static final class NoAnswer extends EOFException {
        NoAnswer() {
            super("the connection closed before an answer");
        }
    }

    /** What came back is not an HTTP/1.x answer. */
    private static final class Garbage extends IOException {
        Garbage(String what) {
            super("not an HTTP answer: " + what);
        }
    }

    private Response readResponse() throws IOException {
        int first;
        try {
            first = in.read();
        } catch (IOException reset) { // reset before any byte: no answer either
            var none = new NoAnswer();
            none.initCause(reset);
            throw none;
        }
        if (first < 0) {
            throw new NoAnswer();
        }
        while (true) {
            String statusLine = line(first);
            first = -1;
            int status = status(statusLine);
            boolean http10 = statusLine.startsWith("HTTP/1.0");
            long contentLength = -1;
            boolean chunked = false;
            String connection = null;
            String retryAfter = null;
            int headBytes = statusLine.length();
            for (String header = line(-1); !header.isEmpty(); header = line(-1)) {
                headBytes += header.length();
                if (headBytes > MAX_HEAD) {
                    throw new Garbage("a head over " + MAX_HEAD + " bytes");
                }
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    throw new Garbage("a header line without a name: " + printable(header));
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> {
                        try {
                            contentLength = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            throw new Garbage("Content-Length " + printable(value));
                        }
                        if (contentLength < 0) {
                            throw new Garbage("Content-Length " + printable(value));
                        }
                    }
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                    case "connection" -> connection = value.toLowerCase(Locale.ROOT);
                    case "retry-after" -> retryAfter = value;
                    default -> {
                        // not needed
                    }
                }
            }
            if (status >= 100 && status < 200) {
                continue; // an interim answer (100 Continue): the real one follows
            }
            boolean keep = http10 ? connection != null && connection.contains("keep-alive")
                    : connection == null || !connection.contains("close");
            var bodyBytes = new ReusableBytes(0, MAX_BODY);
            if (status == 204 || status == 304) {
                // no body
            } else if (chunked) {
                keep &= chunks(bodyBytes);
            } else if (contentLength >= 0) {
                keep &= exactly(contentLength, bodyBytes);
            } else {
                untilClosed(bodyBytes);
                keep = false;
            }
            if (!keep) {
                disconnect();
            }
            return new Response(status, retryAfter, bodyBytes.toByteArray());
        }
    }

    private static int status(String statusLine) throws Garbage {
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
            throw new Garbage("status line " + printable(statusLine));
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                throw new Garbage("status line " + printable(statusLine));
            }
            status = status * 10 + (c - '0');
        }
        if (statusLine.length() > 12 && statusLine.charAt(12) != ' ') {
            throw new Garbage("status line " + printable(statusLine));
        }
        return status;
    }

    /** Reads a chunked body into {@code into}; false when it was too long to keep reading (the rest not read). */
    private boolean chunks(ReusableBytes into) throws IOException {
        while (true) {
            String sizeLine = line(-1);
            int extension = sizeLine.indexOf(';');
            String hex = (extension >= 0 ? sizeLine.substring(0, extension) : sizeLine).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new Garbage("chunk size " + printable(sizeLine));
            }
            if (size < 0) {
                throw new Garbage("chunk size " + printable(sizeLine));
            }
            if (size == 0) {
                for (String trailer = line(-1); !trailer.isEmpty(); trailer = line(-1)) {
                    // trailers: none we need
                }
                return true;
            }
            if (!exactly(size, into)) {
                return false;
            }
            if (!line(-1).isEmpty()) {
                throw new Garbage("a chunk longer than its size");
            }
        }
    }

    /** Reads {@code length} bytes into {@code into}; false when more than it keeps (the rest left unread). */
    private boolean exactly(long length, ReusableBytes into) throws IOException {
        if (into.size() + length > MAX_BODY) {
            return false;
        }
        into.ensure((int) length);
        int left = (int) length;
        while (left > 0) {
            int read = in.read(into.array(), into.size(), left);
            if (read < 0) {
                throw new EOFException("the connection closed " + left + " bytes before the answer's end");
            }
            into.advance(read);
            left -= read;
        }
        return true;
    }

    private void untilClosed(ReusableBytes into) throws IOException {
        while (into.size() < MAX_BODY) {
            into.ensure(Math.min(8192, MAX_BODY - into.size()));
            int read = in.read(into.array(), into.size(), Math.min(8192, MAX_BODY - into.size()));
            if (read < 0) {
                return;
            }
            into.advance(read);
        }
    }

    /** A line of the head without its CRLF (or LF), as ISO-8859-1; {@code first}: a byte already read, or -1. */
    private String line(int first) throws IOException {
        var line = new StringBuilder(64);
        int c = first >= 0 ? first : in.read();
        while (c != '\n') {
            if (c < 0) {
                throw new EOFException("the connection closed in the middle of an answer's head");
            }
            if (line.length() >= MAX_HEAD) {
                throw new Garbage("a line over " + MAX_HEAD + " bytes");
            }
            line.append((char) c);
            c = in.read();
        }
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }

    private static String printable(String text) {
        var shown = new StringBuilder();
        for (int i = 0; i < text.length() && shown.length() < 60; i++) {
            char c = text.charAt(i);
            shown.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return "\"" + shown + (text.length() > 60 ? "…" : "") + "\"";
    }

    /**
     * Closes the connection under way, from any thread: a post in it fails at once. The TCP socket, never the TLS
     * one: closing an SSLSocket sends a close_notify, which waits for the lock a write blocked on a server that
     * stopped reading holds, forever.
     */
    void abort() {
        Socket current = plain;
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void disconnect() {
        abort();
        Socket current = socket;
        if (current != null && current != plain) {
            try {
                current.close(); // the TLS socket, its TCP socket closed: it can send nothing and ends at once
            } catch (IOException ignored) {
                // closing
            }
        }
        plain = null;
        socket = null;
        connectedTo = null;
        in = null;
        out = null;
    }

    @Override
    public void close() {
        disconnect();
        watchdog.shutdownNow();
        resolver.close();
    }
}
