/*
 * The least an OTLP/HTTP upstream can do, for the forwarding benchmarks (bench/receiver-bench.sh,
 * bench/forward-ab.sh): a stand-in for a team's collector on another machine, cheap enough (a few microseconds of CPU
 * per export) that the forwarding daemon's own cost shows on this machine's shared cores.
 *
 * One thread, epoll, HTTP/1.1 with keep-alive. A POST to /v1/metrics, /v1/logs or /v1/traces must carry its body by
 * Content-Length (gzip-encoded or not); the body, inflated when gzip, is walked at its top level only (tags and
 * lengths, no deep decode): every field 1, length-delimited, is a Resource{Metrics,Logs,Spans}, one per export the
 * receiver forwarded (Claude Code's exports have one resource each), counted; other fields are skipped; a body that
 * does not walk to its end exactly (a length past the end, a bad varint or wire type, a broken gzip stream) is
 * answered 400 and counted as bad. Answers 200 with an empty Export*ServiceResponse (zero bytes).
 * GET /counts says "requests exports bad bytes": requests answered, resources counted, bad requests, body bytes on
 * the wire.
 *
 * Build: gcc -O2 -o otlp-sink bench/otlp-sink.c -lz      Usage: otlp-sink PORT
 */
#define _GNU_SOURCE /* memmem, accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_HEADER 16384
#define MAX_BODY (64 << 20)

static unsigned long long requests, exports, bad, wire_bytes;

/* The top-level walk, fed in pieces: a tag varint, then per wire type what follows it. */
struct walk {
    int state;          /* 0: tag, 1: varint value, 2: length, 3: skipping, 4: fixed bytes */
    uint64_t value;     /* the varint being read */
    int shift;
    uint64_t left;      /* bytes to skip */
    int field1;         /* the field being skipped is a resource */
    unsigned long long resources;
    int broken;
};

static void walk_feed(struct walk *w, const unsigned char *p, size_t n) {
    size_t i = 0;
    while (i < n && !w->broken) {
        if (w->state == 3 || w->state == 4) {
            uint64_t take = n - i < w->left ? n - i : w->left;
            i += take;
            w->left -= take;
            if (w->left == 0) {
                w->state = 0;
            }
            continue;
        }
        unsigned char b = p[i++];
        if (w->shift >= 64) {
            w->broken = 1;
            return;
        }
        w->value |= (uint64_t) (b & 0x7f) << w->shift;
        w->shift += 7;
        if (b & 0x80) {
            continue;
        }
        uint64_t v = w->value;
        w->value = 0;
        w->shift = 0;
        if (w->state == 0) {
            int type = (int) (v & 7);
            if ((v >> 3) == 0) {
                w->broken = 1;
            } else if (type == 0) {
                w->state = 1;
            } else if (type == 2) {
                w->state = 2;
                w->field1 = (v >> 3) == 1;
            } else if (type == 1 || type == 5) {
                w->state = 4;
                w->left = type == 1 ? 8 : 4;
            } else {
                w->broken = 1; /* groups: never in OTLP */
            }
        } else if (w->state == 1) {
            w->state = 0;
        } else { /* a length */
            if (w->field1) {
                w->resources++;
            }
            w->left = v;
            w->state = v == 0 ? 0 : 3;
        }
    }
}

static int walk_complete(const struct walk *w) {
    return !w->broken && w->state == 0 && w->shift == 0;
}

static z_stream inflater;
static unsigned char inflated[256 * 1024];

/* Resources in the body, or -1 when it does not walk to its end. */
static long long count(const unsigned char *body, size_t length, int gzip) {
    struct walk w = {0};
    if (!gzip) {
        walk_feed(&w, body, length);
        return walk_complete(&w) ? (long long) w.resources : -1;
    }
    if (inflateReset2(&inflater, 16 + MAX_WBITS) != Z_OK) {
        return -1;
    }
    inflater.next_in = (unsigned char *) body;
    inflater.avail_in = (uInt) length;
    int status;
    do {
        inflater.next_out = inflated;
        inflater.avail_out = sizeof inflated;
        status = inflate(&inflater, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            return -1;
        }
        walk_feed(&w, inflated, sizeof inflated - inflater.avail_out);
    } while (status != Z_STREAM_END && (inflater.avail_in > 0 || inflater.avail_out == 0));
    if (status != Z_STREAM_END || inflater.avail_in != 0) {
        return -1;
    }
    return walk_complete(&w) ? (long long) w.resources : -1;
}

struct connection {
    int fd;
    unsigned char *buffer;
    size_t capacity, used;
};

static int send_all(int fd, const char *text, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, text, length);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1; /* the forwarder posts one request at a time and reads every answer: never full */
        }
        text += n;
        length -= (size_t) n;
    }
    return 0;
}

static const char OK[] = "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n";
static const char BAD[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/* The value of a header in the header block, or NULL; sets *length. */
static const char *header(const char *head, size_t head_length, const char *name, size_t *length) {
    size_t name_length = strlen(name);
    const char *end = head + head_length;
    const char *line = memchr(head, '\n', head_length);
    while (line != NULL && line + 1 < end) {
        line++;
        const char *eol = memchr(line, '\n', (size_t) (end - line));
        if (eol == NULL) {
            break;
        }
        if ((size_t) (eol - line) > name_length && line[name_length] == ':'
                && strncasecmp(line, name, name_length) == 0) {
            const char *value = line + name_length + 1;
            while (value < eol && (*value == ' ' || *value == '\t')) {
                value++;
            }
            const char *value_end = eol;
            while (value_end > value && (value_end[-1] == '\r' || value_end[-1] == ' ')) {
                value_end--;
            }
            *length = (size_t) (value_end - value);
            return value;
        }
        line = eol;
    }
    return NULL;
}

/* Handles the requests complete in the buffer; -1 to close the connection. */
static int serve(struct connection *c) {
    for (;;) {
        unsigned char *end = memmem(c->buffer, c->used, "\r\n\r\n", 4);
        if (end == NULL) {
            return c->used > MAX_HEADER ? -1 : 0;
        }
        size_t head_length = (size_t) (end - c->buffer) + 4;
        const char *head = (const char *) c->buffer;
        size_t length = 0;
        const char *value = header(head, head_length, "Content-Length", &length);
        size_t body_length = value == NULL ? 0 : strtoull(value, NULL, 10);
        if (body_length > MAX_BODY || header(head, head_length, "Transfer-Encoding", &length) != NULL) {
            bad++;
            send_all(c->fd, BAD, sizeof BAD - 1);
            return -1;
        }
        if (c->used < head_length + body_length) {
            if (c->capacity < head_length + body_length) {
                c->capacity = head_length + body_length;
                c->buffer = realloc(c->buffer, c->capacity);
                if (c->buffer == NULL) {
                    perror("otlp-sink: realloc");
                    exit(1);
                }
            }
            return 0;
        }
        unsigned char *body = c->buffer + head_length;
        if (strncmp(head, "GET /counts ", 12) == 0) {
            char text[200], answer[300];
            int n = snprintf(text, sizeof text, "%llu %llu %llu %llu\n", requests, exports, bad, wire_bytes);
            int m = snprintf(answer, sizeof answer, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                             "Content-Length: %d\r\n\r\n%s", n, text);
            if (send_all(c->fd, answer, (size_t) m) < 0) {
                return -1;
            }
        } else {
            int known = strncmp(head, "POST /v1/metrics ", 17) == 0 || strncmp(head, "POST /v1/logs ", 14) == 0
                    || strncmp(head, "POST /v1/traces ", 16) == 0;
            const char *encoding = header(head, head_length, "Content-Encoding", &length);
            int gzip = encoding != NULL && length == 4 && strncasecmp(encoding, "gzip", 4) == 0;
            long long resources = known && (encoding == NULL || gzip) ? count(body, body_length, gzip) : -1;
            wire_bytes += body_length;
            requests++;
            if (resources < 0) {
                bad++;
                send_all(c->fd, BAD, sizeof BAD - 1);
                return -1;
            }
            exports += (unsigned long long) resources;
            if (send_all(c->fd, OK, sizeof OK - 1) < 0) {
                return -1;
            }
        }
        size_t consumed = head_length + body_length;
        memmove(c->buffer, c->buffer + consumed, c->used - consumed);
        c->used -= consumed;
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: otlp-sink PORT\n");
        return 2;
    }
    if (inflateInit2(&inflater, 16 + MAX_WBITS) != Z_OK) {
        fprintf(stderr, "otlp-sink: zlib\n");
        return 1;
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(argv[1]))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *) &address, sizeof address) < 0 || listen(listener, 64) < 0) {
        perror("otlp-sink: listen");
        return 1;
    }
    int epoll = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    struct epoll_event events[64];
    for (;;) {
        int ready = epoll_wait(epoll, events, 64, -1);
        for (int i = 0; i < ready; i++) {
            struct connection *c = events[i].data.ptr;
            if (c == NULL) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    c = calloc(1, sizeof *c);
                    c->fd = fd;
                    c->capacity = 64 * 1024;
                    c->buffer = malloc(c->capacity);
                    struct epoll_event added = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &added);
                }
                continue;
            }
            int closing = 0;
            for (;;) {
                if (c->used == c->capacity) {
                    c->capacity *= 2;
                    c->buffer = realloc(c->buffer, c->capacity);
                    if (c->buffer == NULL) {
                        perror("otlp-sink: realloc");
                        return 1;
                    }
                }
                ssize_t n = read(c->fd, c->buffer + c->used, c->capacity - c->used);
                if (n > 0) {
                    c->used += (size_t) n;
                    continue;
                }
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                closing = n == 0 || errno != EAGAIN;
                break;
            }
            if (serve(c) < 0 || closing) {
                close(c->fd); /* closing removes it from the epoll set */
                free(c->buffer);
                free(c);
            }
        }
    }
}
