/* The control socket to the JVM: framed messages, passed descriptors, and errors as text. */
#include "vireo-init.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int sync_fd = -1;
int sync_turn = -1;

/*
 * The container's process shares the control socket with the first stage, which sends the PID
 * after the clone: its frames must not interleave with that one. The first stage holds the
 * write end of a pipe until it exits; the process's first message waits for its end.
 */
static void wait_turn(void)
{
    if (sync_turn < 0) return;
    char c;
    while (read(sync_turn, &c, 1) < 0 && errno == EINTR) continue;
    close(sync_turn);
    sync_turn = -1;
}

static void write_all(int fd, const void *data, size_t length)
{
    const char *p = data;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(1); /* the JVM is gone: nobody to tell */
        p += n;
        length -= (size_t)n;
    }
}

static int read_all(int fd, void *data, size_t length)
{
    char *p = data;
    while (length > 0) {
        ssize_t n = read(fd, p, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

void send_msg(uint32_t type, const void *payload, uint32_t length)
{
    if (sync_fd < 0) return;
    wait_turn();
    uint32_t header[2] = { type, length };
    write_all(sync_fd, header, sizeof header);
    if (length > 0) write_all(sync_fd, payload, length);
}

/*
 * Sends `text` with one descriptor attached (SCM_RIGHTS). On the control socket the text is
 * framed like every message (the header goes first, on its own); a console socket (runc's
 * protocol) gets the terminal's name alone. The descriptor rides on the text's first byte.
 */
void send_fd_msg(int socket, uint32_t type, int fd, const char *text)
{
    uint32_t length = (uint32_t)strlen(text);
    if (socket == sync_fd) {
        wait_turn();
        uint32_t header[2] = { type, length };
        write_all(socket, header, sizeof header);
    }
    struct iovec iov = { (void *)text, length };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                          .msg_controllen = sizeof control.buf };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    ssize_t n;
    do n = sendmsg(socket, &msg, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    if (n < 0) die_errno("send the terminal's descriptor");
    if ((size_t)n < length) write_all(socket, text + n, length - (size_t)n);
}

/* Reads one message of type `expected`; the JVM going away ends this process. */
void *recv_msg(uint32_t expected, uint32_t *length)
{
    uint32_t header[2];
    if (read_all(sync_fd, header, sizeof header) < 0) _exit(1);
    char *payload = malloc((size_t)header[1] + 1);
    if (payload == NULL) die("out of memory");
    if (read_all(sync_fd, payload, header[1]) < 0) _exit(1);
    payload[header[1]] = '\0';
    if (header[0] != expected) die("control protocol: expected message %u, got %u", expected, header[0]);
    if (length != NULL) *length = header[1];
    return payload;
}

static void report(uint32_t type, const char *fmt, va_list ap, int err)
{
    char text[4096];
    int n = vsnprintf(text, sizeof text, fmt, ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof text) n = sizeof text - 1;
    if (err != 0) {
        const char *name = strerrorname_np(err);
        snprintf(text + n, sizeof text - (size_t)n, ": %s (%s)", name ? name : "errno", strerror(err));
    }
    if (sync_fd >= 0) {
        send_msg(type, text, (uint32_t)strlen(text));
    } else {
        dprintf(STDERR_FILENO, "vireo-init: %s%s\n", type == M_WARN ? "warning: " : "", text);
    }
}

void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(M_WARN, fmt, ap, 0);
    va_end(ap);
}

_Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(M_ERROR, fmt, ap, 0);
    va_end(ap);
    _exit(1);
}

_Noreturn void die_errno(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    report(M_ERROR, fmt, ap, err);
    va_end(ap);
    _exit(1);
}
