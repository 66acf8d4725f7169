/*
 * floatgw native module: a thin POSIX binding for QuickJS.
 *
 * Only syscalls and the constants of the platform it is compiled for live
 * here. Every byte of VRRP, ARP, neighbour discovery, netlink and every
 * sockaddr is built and parsed in TypeScript (src/platform/). The one
 * exception is recvmsg's control messages: their alignment (CMSG_ALIGN)
 * depends on the C ABI, so the TTL/hop limit, the receiving ifindex and the
 * destination address are taken out here with the CMSG_* macros.
 *
 * Failing calls throw an Error whose message names the syscall and errno,
 * with `syscall` and `errno` properties for the caller to test.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/if_ether.h>
#include <netpacket/packet.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "quickjs.h"
#include "native.h"

#define countof(a) (sizeof(a) / sizeof((a)[0]))

static JSValue throw_errno(JSContext *ctx, const char *syscall)
{
    int err = errno;
    JSValue e = JS_NewError(ctx);
    char msg[160];
    snprintf(msg, sizeof msg, "%s: %s (errno %d)", syscall, strerror(err), err);
    JS_DefinePropertyValueStr(ctx, e, "message", JS_NewString(ctx, msg),
                              JS_PROP_WRITABLE | JS_PROP_CONFIGURABLE);
    JS_DefinePropertyValueStr(ctx, e, "syscall", JS_NewString(ctx, syscall),
                              JS_PROP_C_W_E);
    JS_DefinePropertyValueStr(ctx, e, "errno", JS_NewInt32(ctx, err), JS_PROP_C_W_E);
    return JS_Throw(ctx, e);
}

/* Bytes of a typed array's view or of an ArrayBuffer, without copying.
 * Typed arrays first: each lookup of the wrong kind throws an exception
 * (with a backtrace) that is then thrown away, and the daemon passes
 * Uint8Arrays, several per advert. */
static uint8_t *get_bytes(JSContext *ctx, JSValueConst v, size_t *len)
{
    size_t off, view_len, elem;
    uint8_t *p;
    JSValue buf;

    if (JS_IsObject(v)) {
        buf = JS_GetTypedArrayBuffer(ctx, v, &off, &view_len, &elem);
        if (!JS_IsException(buf)) {
            size_t whole;
            p = JS_GetArrayBuffer(ctx, &whole, buf);
            JS_FreeValue(ctx, buf);
            if (p) {
                *len = view_len;
                return p + off;
            }
        }
        JS_FreeValue(ctx, JS_GetException(ctx));
        p = JS_GetArrayBuffer(ctx, len, v);
        if (p)
            return p;
        JS_FreeValue(ctx, JS_GetException(ctx));
    }
    JS_ThrowTypeError(ctx, "expected an ArrayBuffer or a typed array");
    return NULL;
}

static int get_int(JSContext *ctx, JSValueConst v, int *out)
{
    int32_t i;
    if (JS_ToInt32(ctx, &i, v))
        return -1;
    *out = i;
    return 0;
}

/* socket(domain, type, protocol) -> fd; SOCK_CLOEXEC is always added. */
static JSValue js_socket(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int domain, type, protocol, fd;
    if (get_int(ctx, argv[0], &domain) || get_int(ctx, argv[1], &type) ||
        get_int(ctx, argv[2], &protocol))
        return JS_EXCEPTION;
    fd = socket(domain, type | SOCK_CLOEXEC, protocol);
    if (fd < 0)
        return throw_errno(ctx, "socket");
    return JS_NewInt32(ctx, fd);
}

static JSValue js_close(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;
    if (get_int(ctx, argv[0], &fd))
        return JS_EXCEPTION;
    if (close(fd) < 0)
        return throw_errno(ctx, "close");
    return JS_UNDEFINED;
}

/* setsockopt(fd, level, name, value): a number is passed as a C int,
 * bytes (a struct built in TypeScript) are passed as they are. */
static JSValue js_setsockopt(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd, level, name, ival, r;
    if (get_int(ctx, argv[0], &fd) || get_int(ctx, argv[1], &level) ||
        get_int(ctx, argv[2], &name))
        return JS_EXCEPTION;
    if (JS_IsNumber(argv[3]) || JS_IsBool(argv[3])) {
        if (JS_IsBool(argv[3]))
            ival = JS_ToBool(ctx, argv[3]);
        else if (get_int(ctx, argv[3], &ival))
            return JS_EXCEPTION;
        r = setsockopt(fd, level, name, &ival, sizeof ival);
    } else {
        size_t len;
        uint8_t *p = get_bytes(ctx, argv[3], &len);
        if (!p)
            return JS_EXCEPTION;
        r = setsockopt(fd, level, name, p, (socklen_t)len);
    }
    if (r < 0)
        return throw_errno(ctx, "setsockopt");
    return JS_UNDEFINED;
}

/* The (fd, sockaddr bytes) arguments of bind and connect; -1 when one is
 * not what it must be (an exception is pending). */
static int get_fd_sockaddr(JSContext *ctx, JSValueConst *argv, int *fd, const struct sockaddr **sa, socklen_t *len)
{
    size_t n;
    uint8_t *p;
    if (get_int(ctx, argv[0], fd))
        return -1;
    p = get_bytes(ctx, argv[1], &n);
    if (!p)
        return -1;
    *sa = (const struct sockaddr *)p;
    *len = (socklen_t)n;
    return 0;
}

/* bind(fd, sockaddr bytes) */
static JSValue js_bind(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;
    const struct sockaddr *sa;
    socklen_t len;
    if (get_fd_sockaddr(ctx, argv, &fd, &sa, &len))
        return JS_EXCEPTION;
    if (bind(fd, sa, len) < 0)
        return throw_errno(ctx, "bind");
    return JS_UNDEFINED;
}

/* sendto(fd, data, sockaddr bytes | null) -> bytes sent, or null when the
 * socket is non-blocking and its buffer is full. */
static JSValue js_sendto(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;
    size_t len, salen = 0;
    uint8_t *data, *sa = NULL;
    ssize_t n;
    if (get_int(ctx, argv[0], &fd))
        return JS_EXCEPTION;
    data = get_bytes(ctx, argv[1], &len);
    if (!data)
        return JS_EXCEPTION;
    if (argc > 2 && !JS_IsNull(argv[2]) && !JS_IsUndefined(argv[2])) {
        sa = get_bytes(ctx, argv[2], &salen);
        if (!sa)
            return JS_EXCEPTION;
    }
    n = sendto(fd, data, len, MSG_NOSIGNAL, (const struct sockaddr *)sa, (socklen_t)salen);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return JS_NULL;
        return throw_errno(ctx, "sendto");
    }
    return JS_NewInt64(ctx, n);
}

static void set_prop(JSContext *ctx, JSValue obj, const char *name, JSValue v)
{
    JS_DefinePropertyValueStr(ctx, obj, name, v, JS_PROP_C_W_E);
}

/* What one recvmsg gave besides the data: the sender's raw sockaddr, and
 * from the control messages the TTL / hop limit, the receiving ifindex and
 * the destination address (-1, -1 and none when the socket did not ask). */
struct received {
    struct sockaddr_storage from;
    socklen_t fromlen;
    int ttl, ifindex, truncated, dstlen;
    uint8_t dst[16];
};

/* One recvmsg(MSG_DONTWAIT) into buf: the datagram's length, or -1 with
 * errno set. */
static ssize_t receive(int fd, uint8_t *buf, size_t len, struct received *r)
{
    union {
        char buf[256];
        struct cmsghdr align;
    } control;
    struct iovec iov;
    struct msghdr msg;
    struct cmsghdr *c;
    ssize_t n;

    iov.iov_base = buf;
    iov.iov_len = len;
    memset(&msg, 0, sizeof msg);
    msg.msg_name = &r->from;
    msg.msg_namelen = sizeof r->from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0)
        return n;
    r->fromlen = msg.msg_namelen;
    r->ttl = r->ifindex = -1;
    r->dstlen = 0;
    r->truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
            memcpy(&r->ttl, CMSG_DATA(c), sizeof r->ttl);
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            r->ifindex = pi.ipi_ifindex;
            memcpy(r->dst, &pi.ipi_addr, 4);
            r->dstlen = 4;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
            memcpy(&r->ttl, CMSG_DATA(c), sizeof r->ttl);
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            r->ifindex = (int)pi.ipi6_ifindex;
            memcpy(r->dst, &pi.ipi6_addr, 16);
            r->dstlen = 16;
        }
    }
    return n;
}

/* recvmsg(fd, maxlen) -> null when nothing is waiting (always MSG_DONTWAIT),
 * else { data, from, ttl, ifindex, dst }: data and from (the raw sockaddr)
 * as ArrayBuffers; ttl/hop limit and ifindex are -1 and dst null when the
 * socket did not ask for those control messages. truncated is true when the
 * datagram was longer than maxlen. */
static JSValue js_recvmsg(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd, maxlen;
    uint8_t buf[65536];
    struct received r;
    ssize_t n;
    JSValue obj;

    if (get_int(ctx, argv[0], &fd) || get_int(ctx, argv[1], &maxlen))
        return JS_EXCEPTION;
    if (maxlen <= 0 || maxlen > (int)sizeof buf)
        maxlen = sizeof buf;
    n = receive(fd, buf, (size_t)maxlen, &r);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return JS_NULL;
        return throw_errno(ctx, "recvmsg");
    }
    obj = JS_NewObject(ctx);
    set_prop(ctx, obj, "data", JS_NewArrayBufferCopy(ctx, buf, (size_t)n));
    set_prop(ctx, obj, "from", JS_NewArrayBufferCopy(ctx, (const uint8_t *)&r.from, r.fromlen));
    set_prop(ctx, obj, "ttl", JS_NewInt32(ctx, r.ttl));
    set_prop(ctx, obj, "ifindex", JS_NewInt32(ctx, r.ifindex));
    set_prop(ctx, obj, "dst", r.dstlen ? JS_NewArrayBufferCopy(ctx, r.dst, (size_t)r.dstlen) : JS_NULL);
    set_prop(ctx, obj, "truncated", JS_NewBool(ctx, r.truncated));
    return obj;
}

/* recvmsgInto(fd, data, from, dst, info) -> the datagram's length, or -1
 * when nothing is waiting (always MSG_DONTWAIT). The datagram goes into
 * data (cut to its size), the sender's raw sockaddr into from, the
 * destination address (IP_PKTINFO / IPV6_PKTINFO) into dst, each cut to
 * its buffer; info, an Int32Array, gets [ttl or hop limit, ifindex,
 * truncated (0/1), length of from, length of dst], -1 / 0 when absent. The
 * same as recvmsg without a new object per datagram: for the VRRP sockets,
 * read once per advert (docs/performance.md). */
static JSValue js_recvmsg_into(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;
    size_t len, fromcap, dstcap, infolen;
    uint8_t *data, *from, *dst, *info;
    struct received r;
    int32_t out[5];
    ssize_t n;

    if (get_int(ctx, argv[0], &fd))
        return JS_EXCEPTION;
    if (!(data = get_bytes(ctx, argv[1], &len)) || !(from = get_bytes(ctx, argv[2], &fromcap)) ||
        !(dst = get_bytes(ctx, argv[3], &dstcap)) || !(info = get_bytes(ctx, argv[4], &infolen)))
        return JS_EXCEPTION;
    if (infolen < sizeof out)
        return JS_ThrowRangeError(ctx, "recvmsgInto: info holds 5 int32 values");
    n = receive(fd, data, len, &r);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return JS_NewInt32(ctx, -1);
        return throw_errno(ctx, "recvmsg");
    }
    out[0] = r.ttl;
    out[1] = r.ifindex;
    out[2] = r.truncated;
    out[3] = (int32_t)(r.fromlen < fromcap ? r.fromlen : fromcap);
    out[4] = (int32_t)((size_t)r.dstlen < dstcap ? (size_t)r.dstlen : dstcap);
    memcpy(from, &r.from, (size_t)out[3]);
    memcpy(dst, r.dst, (size_t)out[4]);
    memcpy(info, out, sizeof out);
    return JS_NewInt32(ctx, (int32_t)n);
}

/* bytesEqual(a, aOffset, b, bOffset, length) -> whether the length bytes
 * of a from aOffset equal those of b from bOffset (false when a range runs
 * past its array). memcmp: QuickJS spends some 600 instructions on each
 * byte of the same loop in TypeScript, and the daemon compares every
 * datagram it receives with the last one it decoded (docs/performance.md). */
static JSValue js_bytes_equal(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t alen, blen;
    int aoff, boff, n;
    uint8_t *a, *b;

    if (!(a = get_bytes(ctx, argv[0], &alen)) || get_int(ctx, argv[1], &aoff) ||
        !(b = get_bytes(ctx, argv[2], &blen)) || get_int(ctx, argv[3], &boff) || get_int(ctx, argv[4], &n))
        return JS_EXCEPTION;
    if (aoff < 0 || boff < 0 || n < 0 || (size_t)aoff + (size_t)n > alen || (size_t)boff + (size_t)n > blen)
        return JS_FALSE;
    return JS_NewBool(ctx, memcmp(a + aoff, b + boff, (size_t)n) == 0);
}

/* getsockname(fd) -> the raw sockaddr (netlink: the port id the kernel gave). */
static JSValue js_getsockname(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    if (get_int(ctx, argv[0], &fd))
        return JS_EXCEPTION;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
        return throw_errno(ctx, "getsockname");
    return JS_NewArrayBufferCopy(ctx, (const uint8_t *)&sa, len);
}

static JSValue js_if_nametoindex(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    const char *name = JS_ToCString(ctx, argv[0]);
    unsigned idx;
    if (!name)
        return JS_EXCEPTION;
    idx = if_nametoindex(name);
    JS_FreeCString(ctx, name);
    if (idx == 0)
        return throw_errno(ctx, "if_nametoindex");
    return JS_NewUint32(ctx, idx);
}

/* poll(fd, timeoutMs) -> true when fd is readable before the timeout. For
 * short synchronous waits (the CLI waiting for the daemon's answer); the
 * daemon itself waits in QuickJS's event loop. */
static JSValue js_poll_readable(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd, timeout, n;
    struct pollfd p;
    if (get_int(ctx, argv[0], &fd) || get_int(ctx, argv[1], &timeout))
        return JS_EXCEPTION;
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    do {
        n = poll(&p, 1, timeout);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return throw_errno(ctx, "poll");
    return JS_NewBool(ctx, n > 0 && (p.revents & POLLIN));
}

/* Monotonic milliseconds: never jumps with wall-clock changes (NTP, a
 * router without RTC booting in 1970), which VRRP timers must not see. */
static JSValue js_monotonic_ms(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
        return throw_errno(ctx, "clock_gettime");
    return JS_NewFloat64(ctx, (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000) / 1000.0);
}

/* attachFilter(fd, program bytes): SO_ATTACH_FILTER with a classic BPF
 * program built in TypeScript (struct sock_filter entries, host order); the
 * struct sock_fprog that points at it can only be made here. */
static JSValue js_attach_filter(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;
    size_t len;
    uint8_t *prog;
    struct sock_fprog fprog;
    if (get_int(ctx, argv[0], &fd))
        return JS_EXCEPTION;
    prog = get_bytes(ctx, argv[1], &len);
    if (!prog)
        return JS_EXCEPTION;
    if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
        return JS_ThrowRangeError(ctx, "a BPF program is 1 to %d instructions of %d bytes", BPF_MAXINSNS, (int)sizeof(struct sock_filter));
    fprog.len = (unsigned short)(len / sizeof(struct sock_filter));
    fprog.filter = (struct sock_filter *)prog;
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) < 0)
        return throw_errno(ctx, "setsockopt(SO_ATTACH_FILTER)");
    return JS_UNDEFINED;
}

/* read(fd, bytes) -> the length read into bytes, 0 at the end, -1 when a
 * non-blocking fd has nothing (an inotify fd's events). */
static JSValue js_read(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;
    size_t len;
    uint8_t *buf;
    ssize_t n;
    if (get_int(ctx, argv[0], &fd))
        return JS_EXCEPTION;
    buf = get_bytes(ctx, argv[1], &len);
    if (!buf)
        return JS_EXCEPTION;
    do {
        n = read(fd, buf, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return JS_NewInt32(ctx, -1);
    if (n < 0)
        return throw_errno(ctx, "read");
    return JS_NewInt32(ctx, (int32_t)n);
}

/* inotifyInit() -> a non-blocking, close-on-exec inotify fd. Its events
 * (struct inotify_event, host order) are read with read() above and
 * parsed in TypeScript (src/platform/inotify.ts). */
static JSValue js_inotify_init(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return throw_errno(ctx, "inotify_init1");
    return JS_NewInt32(ctx, fd);
}

/* inotifyAddWatch(fd, path, mask) -> the watch descriptor. */
static JSValue js_inotify_add_watch(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd, mask, wd;
    const char *path;
    if (get_int(ctx, argv[0], &fd) || get_int(ctx, argv[2], &mask))
        return JS_EXCEPTION;
    path = JS_ToCString(ctx, argv[1]);
    if (!path)
        return JS_EXCEPTION;
    wd = inotify_add_watch(fd, path, (uint32_t)mask);
    JS_FreeCString(ctx, path);
    if (wd < 0)
        return throw_errno(ctx, "inotify_add_watch");
    return JS_NewInt32(ctx, wd);
}

/* inotifyRmWatch(fd, wd) */
static JSValue js_inotify_rm_watch(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd, wd;
    if (get_int(ctx, argv[0], &fd) || get_int(ctx, argv[1], &wd))
        return JS_EXCEPTION;
    if (inotify_rm_watch(fd, wd) < 0)
        return throw_errno(ctx, "inotify_rm_watch");
    return JS_UNDEFINED;
}

/* umask(mask) -> the previous mask */
static JSValue js_umask(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int mask;
    if (get_int(ctx, argv[0], &mask))
        return JS_EXCEPTION;
    return JS_NewInt32(ctx, (int)umask((mode_t)(mask & 0777)));
}

static JSValue js_getpid(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return JS_NewInt32(ctx, getpid());
}

/* connect(fd, sockaddr) -> true when connected at once, false while a
 * non-blocking connect is in progress (wait until writable, then ask
 * socketError). A non-blocking AF_UNIX connect (the ubus client) completes
 * at once or fails (EAGAIN when the listener's backlog is full). */
static JSValue js_connect(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;
    const struct sockaddr *sa;
    socklen_t len;
    if (get_fd_sockaddr(ctx, argv, &fd, &sa, &len))
        return JS_EXCEPTION;
    if (connect(fd, sa, len) == 0)
        return JS_TRUE;
    if (errno == EINPROGRESS)
        return JS_FALSE;
    return throw_errno(ctx, "connect");
}

/* socketError(fd) -> the pending error of a socket (SO_ERROR), 0 if none. */
static JSValue js_socket_error(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd, err = 0;
    socklen_t len = sizeof err;
    if (get_int(ctx, argv[0], &fd))
        return JS_EXCEPTION;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return throw_errno(ctx, "getsockopt");
    return JS_NewInt32(ctx, err);
}

/* strerror(errno) -> its message. */
static JSValue js_strerror(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int err;
    if (get_int(ctx, argv[0], &err))
        return JS_EXCEPTION;
    return JS_NewString(ctx, strerror(err));
}

/* A JS array of strings as a NULL-terminated C array (freed by free_strings). */
static char **get_strings(JSContext *ctx, JSValueConst arr)
{
    uint32_t n, i;
    char **out;
    JSValue len = JS_GetPropertyStr(ctx, arr, "length");
    if (JS_ToUint32(ctx, &n, len)) {
        JS_FreeValue(ctx, len);
        return NULL;
    }
    JS_FreeValue(ctx, len);
    out = calloc(n + 1, sizeof *out);
    if (!out)
        return NULL;
    for (i = 0; i < n; i++) {
        JSValue v = JS_GetPropertyUint32(ctx, arr, i);
        const char *s = JS_ToCString(ctx, v);
        JS_FreeValue(ctx, v);
        out[i] = s ? strdup(s) : NULL;
        if (s)
            JS_FreeCString(ctx, s);
        if (!out[i]) {
            while (i > 0)
                free(out[--i]);
            free(out);
            return NULL;
        }
    }
    return out;
}

static void free_strings(char **v)
{
    char **p;
    if (!v)
        return;
    for (p = v; *p; p++)
        free(*p);
    free(v);
}

/* spawn(argv, env, uid, gid) -> pid. Runs argv[0] (an absolute path) in a
 * session of its own, so that a timeout can kill it with everything it
 * started (kill(-pid)); stdin, stdout and stderr on /dev/null, no other fd
 * inherited; as uid/gid unless they are -1. Everything is prepared before
 * fork: the child only makes syscalls. */
static JSValue js_spawn(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    char **args, **env;
    int uid, gid, fd, max;
    gid_t group;
    pid_t pid;
    if (get_int(ctx, argv[2], &uid) || get_int(ctx, argv[3], &gid))
        return JS_EXCEPTION;
    args = get_strings(ctx, argv[0]);
    env = get_strings(ctx, argv[1]);
    if (!args || !env || !args[0]) {
        free_strings(args);
        free_strings(env);
        return JS_ThrowTypeError(ctx, "spawn: argv and env must be arrays of strings, argv not empty");
    }
    max = (int)sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    group = (gid_t)gid;
    pid = fork();
    if (pid == 0) {
        setsid();
        fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
        }
        for (fd = 3; fd < max; fd++)
            close(fd);
        if (gid != -1 && (setgroups(1, &group) < 0 || setgid(group) < 0))
            _exit(127);
        if (uid != -1 && setuid((uid_t)uid) < 0)
            _exit(127);
        execve(args[0], args, env);
        _exit(127);
    }
    free_strings(args);
    free_strings(env);
    if (pid < 0)
        return throw_errno(ctx, "fork");
    return JS_NewInt32(ctx, pid);
}

/* One send of a watcher's plan: prepared before fork, so that the child
 * only makes syscalls. */
struct plan_send {
    int fd;
    uint8_t *data, *to;
    size_t len, tolen;
};

struct plan {
    struct plan_send *sends;
    uint32_t n;
};

static void free_plan(struct plan *p)
{
    uint32_t i;
    for (i = 0; p->sends && i < p->n; i++) {
        free(p->sends[i].data);
        free(p->sends[i].to);
    }
    free(p->sends);
    p->sends = NULL;
    p->n = 0;
}

/* A copy of bytes (an ArrayBuffer or a typed array); NULL with an exception pending. */
static uint8_t *copy_bytes(JSContext *ctx, JSValueConst v, size_t *len)
{
    uint8_t *src = get_bytes(ctx, v, len), *dst;
    if (!src)
        return NULL;
    dst = malloc(*len ? *len : 1);
    if (!dst) {
        JS_ThrowOutOfMemory(ctx);
        return NULL;
    }
    memcpy(dst, src, *len);
    return dst;
}

/* Reads an array of [fd, datagram, sockaddr] into p; -1 with an exception pending. */
static int get_plan(JSContext *ctx, JSValueConst arr, struct plan *p)
{
    JSValue len = JS_GetPropertyStr(ctx, arr, "length"), item, v;
    uint32_t i;
    int bad = 0;
    p->sends = NULL;
    p->n = 0;
    if (JS_ToUint32(ctx, &i, len)) {
        JS_FreeValue(ctx, len);
        return -1;
    }
    JS_FreeValue(ctx, len);
    if (i > 4096) {
        JS_ThrowRangeError(ctx, "watcher: at most 4096 sends");
        return -1;
    }
    p->sends = calloc(i ? i : 1, sizeof *p->sends);
    if (!p->sends) {
        JS_ThrowOutOfMemory(ctx);
        return -1;
    }
    p->n = i;
    for (i = 0; i < p->n && !bad; i++) {
        struct plan_send *s = &p->sends[i];
        item = JS_GetPropertyUint32(ctx, arr, i);
        v = JS_GetPropertyUint32(ctx, item, 0);
        bad = get_int(ctx, v, &s->fd);
        JS_FreeValue(ctx, v);
        if (!bad) {
            v = JS_GetPropertyUint32(ctx, item, 1);
            s->data = copy_bytes(ctx, v, &s->len);
            JS_FreeValue(ctx, v);
            bad = !s->data;
        }
        if (!bad) {
            v = JS_GetPropertyUint32(ctx, item, 2);
            s->to = copy_bytes(ctx, v, &s->tolen);
            JS_FreeValue(ctx, v);
            bad = !s->to;
        }
        JS_FreeValue(ctx, item);
    }
    if (bad)
        free_plan(p);
    return bad ? -1 : 0;
}

static void send_plan(const struct plan *p)
{
    uint32_t i;
    for (i = 0; i < p->n; i++)
        sendto(p->sends[i].fd, p->sends[i].data, p->sends[i].len, MSG_NOSIGNAL | MSG_DONTWAIT,
               (const struct sockaddr *)p->sends[i].to, (socklen_t)p->sends[i].tolen);
}

/* Sleeps ms milliseconds (poll without descriptors: async-signal-safe). */
static void pause_ms(int ms)
{
    struct timespec start, now;
    long left = ms;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (left > 0) {
        poll(NULL, 0, (int)left);
        clock_gettime(CLOCK_MONOTONIC, &now);
        left = ms - ((now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L);
    }
}

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

/* The daemon's messages to its watcher: 8 bytes each, a kind byte ('h' a
 * heartbeat, 'D' disarm) and, from byte 4, the daemon's CLOCK_MONOTONIC in
 * ms, modulo 2^32, little-endian, when it sent a heartbeat. */
#define WATCH_MSG 8

static uint32_t monotonic_ms32(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)ts.tv_sec * 1000u + (uint32_t)(ts.tv_nsec / 1000000L);
}

/* The watcher child: never returns. 'D' (disarm) from the daemon ends it
 * quietly (exit 0). End of file (the daemon died) or `silence_ms` since the
 * newest heartbeat's time (it hangs) fires the plan: each datagram of
 * `first` sent once, in order, whatever fails; then a pause
 * (`after_death_ms` or `after_silence_ms`), then `then` the same way; then
 * 'F' back to the daemon, should it ever read again, and exit 1.
 * Heartbeats do not wake it: it polls for the daemon's end closing
 * (POLLRDHUP; the kernel wakes a poller only for the events it asked for)
 * or the deadline, and reads the heartbeats that came meanwhile, whose
 * times say when the daemon last ran. So a heartbeat costs the daemon one
 * write and no one a wake-up, and the child wakes about once per silence
 * limit. Only async-signal-safe calls: the parent is a QuickJS process. */
__attribute__((noreturn)) static void watch(int sock, int silence_ms, int after_death_ms, int after_silence_ms,
                                            const struct plan *first, const struct plan *then)
{
    struct pollfd p;
    uint8_t buf[8 * WATCH_MSG];
    uint32_t last = monotonic_ms32(), t;
    int32_t left;
    ssize_t got, i;
    int pause = after_silence_ms;
    for (;;) {
        for (;;) {
            got = read(sock, buf, sizeof buf);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                break; /* EAGAIN: nothing more came */
            if (got == 0) {
                pause = after_death_ms;
                goto fire;
            }
            /* Every message is written whole, so reads of a multiple of
             * its size never split one. */
            for (i = 0; i + WATCH_MSG <= got; i += WATCH_MSG) {
                if (buf[i] == 'D')
                    _exit(0);
                t = (uint32_t)buf[i + 4] | (uint32_t)buf[i + 5] << 8 | (uint32_t)buf[i + 6] << 16 | (uint32_t)buf[i + 7] << 24;
                if ((int32_t)(t - last) > 0)
                    last = t;
            }
        }
        left = silence_ms - (int32_t)(monotonic_ms32() - last);
        if (left <= 0)
            break;
        p.fd = sock;
        p.events = POLLRDHUP;
        p.revents = 0;
        if (poll(&p, 1, left) < 0 && errno != EINTR) {
            pause = after_death_ms;
            break;
        }
    }
fire:
    send_plan(first);
    pause_ms(pause);
    send_plan(then);
    send(sock, "F", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    _exit(1);
}

/* watcher(silenceMs, afterDeathMs, afterSilenceMs, first, then) -> [pid, fd].
 * Forks the dead-man switch: first and then are arrays of [fd, datagram,
 * sockaddr] that the child sends when the daemon dies or stays silent, with
 * a pause between them (see watch). fd is the daemon's end of a
 * non-blocking AF_UNIX stream pair (close-on-exec) for the daemon's
 * messages (see WATCH_MSG); 'F' or end of file on it says the child fired or
 * is gone. The child keeps only its end and the plan's sockets open, and
 * its signals at their defaults. What the bytes mean is TypeScript's
 * business (src/daemon/watcher.ts). */
static JSValue js_watcher(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    static const int defaults[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE, SIGUSR1, SIGUSR2 };
    struct plan first, then;
    struct sigaction dfl;
    uint32_t i, k;
    int silence, after_death, after_silence, sv[2], fd, max, keep;
    pid_t pid;
    JSValue v;

    if (get_int(ctx, argv[0], &silence) || get_int(ctx, argv[1], &after_death) || get_int(ctx, argv[2], &after_silence))
        return JS_EXCEPTION;
    if (silence <= 0 || after_death < 0 || after_silence < 0)
        return JS_ThrowRangeError(ctx, "watcher: silence must be positive, pauses not negative");
    if (get_plan(ctx, argv[3], &first))
        return JS_EXCEPTION;
    if (get_plan(ctx, argv[4], &then)) {
        free_plan(&first);
        return JS_EXCEPTION;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
        free_plan(&first);
        free_plan(&then);
        return throw_errno(ctx, "socketpair");
    }
    max = (int)sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    pid = fork();
    if (pid == 0) {
        /* Its own name (/proc/PID/comm), for ps and top, and so that a
         * search by comm (procd, the tests) finds the daemon alone. */
        prctl(PR_SET_NAME, "floatgwd-watch", 0, 0, 0);
        for (k = 0; k < countof(defaults); k++)
            sigaction(defaults[k], &dfl, NULL);
        for (fd = 0; fd < max; fd++) {
            keep = fd == sv[1];
            for (i = 0; i < first.n && !keep; i++)
                keep = fd == first.sends[i].fd;
            for (i = 0; i < then.n && !keep; i++)
                keep = fd == then.sends[i].fd;
            if (!keep)
                close(fd);
        }
        watch(sv[1], silence, after_death, after_silence, &first, &then);
    }
    free_plan(&first);
    free_plan(&then);
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return throw_errno(ctx, "fork");
    }
    v = JS_NewArray(ctx);
    JS_SetPropertyUint32(ctx, v, 0, JS_NewInt32(ctx, pid));
    JS_SetPropertyUint32(ctx, v, 1, JS_NewInt32(ctx, sv[0]));
    return v;
}

#define C(name) JS_PROP_INT32_DEF(#name, name, JS_PROP_CONFIGURABLE)

static const JSCFunctionListEntry native_funcs[] = {
    JS_CFUNC_DEF("socket", 3, js_socket),
    JS_CFUNC_DEF("close", 1, js_close),
    JS_CFUNC_DEF("setsockopt", 4, js_setsockopt),
    JS_CFUNC_DEF("bind", 2, js_bind),
    JS_CFUNC_DEF("connect", 2, js_connect),
    JS_CFUNC_DEF("sendto", 3, js_sendto),
    JS_CFUNC_DEF("recvmsg", 2, js_recvmsg),
    JS_CFUNC_DEF("recvmsgInto", 5, js_recvmsg_into),
    JS_CFUNC_DEF("bytesEqual", 5, js_bytes_equal),
    JS_CFUNC_DEF("getsockname", 1, js_getsockname),
    JS_CFUNC_DEF("ifNameToIndex", 1, js_if_nametoindex),
    JS_CFUNC_DEF("pollReadable", 2, js_poll_readable),
    JS_CFUNC_DEF("monotonicMs", 0, js_monotonic_ms),
    JS_CFUNC_DEF("getpid", 0, js_getpid),
    JS_CFUNC_DEF("umask", 1, js_umask),
    JS_CFUNC_DEF("attachFilter", 2, js_attach_filter),
    JS_CFUNC_DEF("socketError", 1, js_socket_error),
    JS_CFUNC_DEF("strerror", 1, js_strerror),
    JS_CFUNC_DEF("spawn", 4, js_spawn),
    JS_CFUNC_DEF("watcher", 5, js_watcher),
    JS_CFUNC_DEF("read", 2, js_read),
    JS_CFUNC_DEF("inotifyInit", 0, js_inotify_init),
    JS_CFUNC_DEF("inotifyAddWatch", 3, js_inotify_add_watch),
    JS_CFUNC_DEF("inotifyRmWatch", 2, js_inotify_rm_watch),
    JS_PROP_STRING_DEF("engineVersion", CONFIG_VERSION, JS_PROP_CONFIGURABLE),
};

/* The values of these differ between CPUs (MIPS numbers SOCK_*, SOL_SOCKET
 * and SO_* differently), so TypeScript must take them from here. */
static const JSCFunctionListEntry native_consts[] = {
    C(AF_INET), C(AF_INET6), C(AF_PACKET), C(AF_NETLINK), C(AF_UNIX),
    C(SOCK_RAW), C(SOCK_DGRAM), C(SOCK_STREAM), C(SOCK_NONBLOCK),
    C(SOL_SOCKET), C(SO_BINDTODEVICE), C(SO_RCVBUF), C(SO_SNDBUF), C(SO_REUSEADDR),
    C(IPPROTO_IP), C(IPPROTO_IPV6), C(IPPROTO_TCP), C(IPPROTO_ICMP), C(IPPROTO_ICMPV6),
    C(IP_TTL), C(IP_RECVTTL), C(IP_PKTINFO), C(IP_MULTICAST_TTL), C(IP_MULTICAST_LOOP),
    C(IP_MULTICAST_IF), C(IP_ADD_MEMBERSHIP), C(IP_DROP_MEMBERSHIP),
    C(IPV6_UNICAST_HOPS), C(IPV6_MULTICAST_HOPS), C(IPV6_MULTICAST_LOOP), C(IPV6_MULTICAST_IF),
    C(IPV6_RECVHOPLIMIT), C(IPV6_RECVPKTINFO), C(IPV6_ADD_MEMBERSHIP), C(IPV6_DROP_MEMBERSHIP),
    C(IPV6_CHECKSUM),
    C(NETLINK_ROUTE), C(NETLINK_ADD_MEMBERSHIP),
    C(ETH_P_ARP), C(ETH_P_IP), C(ETH_P_IPV6), C(ETH_P_ALL),
    C(EAGAIN), C(EEXIST), C(EADDRNOTAVAIL), C(ENODEV), C(ENOENT), C(EPERM), C(ENOPROTOOPT),
    C(ENETDOWN), C(ENXIO), C(EINTR), C(EINVAL), C(ECONNREFUSED), C(ENOTDIR),
    C(IN_CREATE), C(IN_MOVED_TO), C(IN_ATTRIB), C(IN_DELETE_SELF), C(IN_MOVE_SELF),
    C(IN_IGNORED), C(IN_Q_OVERFLOW), C(IN_ONLYDIR),
    /* QuickJS's os module has no SIGHUP, which procd's reload sends. */
    C(SIGHUP), C(SIGKILL),
};

static int native_init(JSContext *ctx, JSModuleDef *m)
{
    JSValue consts = JS_NewObject(ctx);
    JS_SetPropertyFunctionList(ctx, consts, native_consts, countof(native_consts));
    JS_SetModuleExport(ctx, m, "constants", consts);
    return JS_SetModuleExportList(ctx, m, native_funcs, countof(native_funcs));
}

JSModuleDef *js_init_module_native(JSContext *ctx, const char *module_name)
{
    JSModuleDef *m = JS_NewCModule(ctx, module_name, native_init);
    if (!m)
        return NULL;
    JS_AddModuleExport(ctx, m, "constants");
    JS_AddModuleExportList(ctx, m, native_funcs, countof(native_funcs));
    return m;
}
