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
#include <stddef.h>
#include <string.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
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
    int ttl, ifindex, truncated, dstlen, stamped;
    uint8_t dst[16];
    /* The kernel's arrival time (CLOCK_REALTIME), when the socket asked for
     * SO_TIMESTAMPNS. */
    struct timespec stamp;
};

/* Room for a datagram's control messages. */
union control {
    char buf[256];
    struct cmsghdr align;
};

/* Points msg at buf (len bytes), r's address and control, for recvmsg or
 * recvmmsg. */
static void receive_into(struct msghdr *msg, struct iovec *iov, uint8_t *buf, size_t len, struct received *r,
                         union control *control)
{
    iov->iov_base = buf;
    iov->iov_len = len;
    memset(msg, 0, sizeof *msg);
    msg->msg_name = &r->from;
    msg->msg_namelen = sizeof r->from;
    msg->msg_iov = iov;
    msg->msg_iovlen = 1;
    msg->msg_control = control->buf;
    msg->msg_controllen = sizeof control->buf;
}

/* Fills r from what recvmsg or recvmmsg left in msg. */
static void received_from(const struct msghdr *msg, struct received *r)
{
    struct cmsghdr *c;
    r->fromlen = msg->msg_namelen;
    r->ttl = r->ifindex = -1;
    r->dstlen = r->stamped = 0;
    r->truncated = (msg->msg_flags & MSG_TRUNC) != 0;
    for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
            memcpy(&r->ttl, CMSG_DATA(c), sizeof r->ttl);
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            r->ifindex = pi.ipi_ifindex;
            memcpy(r->dst, &pi.ipi_addr, 4);
            r->dstlen = 4;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            memcpy(&r->stamp, CMSG_DATA(c), sizeof r->stamp);
            r->stamped = 1;
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
}

/* One recvmsg(MSG_DONTWAIT) into buf: the datagram's length, or -1 with
 * errno set. */
static ssize_t receive(int fd, uint8_t *buf, size_t len, struct received *r)
{
    union control control;
    struct iovec iov;
    struct msghdr msg;
    ssize_t n;

    receive_into(&msg, &iov, buf, len, r, &control);
    n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n >= 0)
        received_from(&msg, r);
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
/* How long ago the kernel stamped the datagram in r (SO_TIMESTAMPNS, on
 * CLOCK_REALTIME), in microseconds (0 if the wall clock moved back since);
 * -1 when it has no stamp. */
static int32_t stamp_age_us(const struct received *r)
{
    struct timespec rt;
    int64_t age;
    if (!r->stamped || clock_gettime(CLOCK_REALTIME, &rt) < 0)
        return -1;
    age = (int64_t)(rt.tv_sec - r->stamp.tv_sec) * 1000000 + (rt.tv_nsec - r->stamp.tv_nsec) / 1000;
    return age < 0 ? 0 : age > INT32_MAX ? INT32_MAX : (int32_t)age;
}

static JSValue js_recvmsg_into(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;
    size_t len, fromcap, dstcap, infolen;
    uint8_t *data, *from, *dst, *info;
    struct received r;
    int32_t out[6];
    ssize_t n;

    if (get_int(ctx, argv[0], &fd))
        return JS_EXCEPTION;
    if (!(data = get_bytes(ctx, argv[1], &len)) || !(from = get_bytes(ctx, argv[2], &fromcap)) ||
        !(dst = get_bytes(ctx, argv[3], &dstcap)) || !(info = get_bytes(ctx, argv[4], &infolen)))
        return JS_EXCEPTION;
    if (infolen < sizeof out)
        return JS_ThrowRangeError(ctx, "recvmsgInto: info holds 6 int32 values");
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
    out[5] = stamp_age_us(&r);
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
 * only makes syscalls. A beacon's sends also have a schedule: every
 * interval_ms, due next at due_ms (CLOCK_MONOTONIC). */
struct plan_send {
    int fd;
    uint8_t *data, *to;
    size_t len, tolen;
    int64_t interval_ms, due_ms;
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

/* Reads an array of [fd, datagram, sockaddr] (with `scheduled`: [fd,
 * datagram, sockaddr, intervalMs, phaseMs]; due_ms then holds the phase)
 * into p; -1 with an exception pending. */
static int get_plan(JSContext *ctx, JSValueConst arr, struct plan *p, int scheduled)
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
        if (!bad && scheduled) {
            v = JS_GetPropertyUint32(ctx, item, 3);
            bad = JS_ToInt64(ctx, &s->interval_ms, v);
            JS_FreeValue(ctx, v);
            if (!bad && s->interval_ms <= 0) {
                JS_ThrowRangeError(ctx, "watcher: a beacon's interval must be positive");
                bad = 1;
            }
        }
        if (!bad && scheduled) {
            v = JS_GetPropertyUint32(ctx, item, 4);
            bad = JS_ToInt64(ctx, &s->due_ms, v);
            JS_FreeValue(ctx, v);
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

/* The daemon's message to its watcher: 'D' (disarm), 8 bytes long (the
 * rest unused). */
#define WATCH_MSG 8

/* CLOCK_MONOTONIC in microseconds: the listener's deadlines (its wait to
 * the whole millisecond ended up to 1 ms past them, half a millisecond on
 * average: 1.4 % of a Master_Down_Interval at 10 ms adverts). */
static int64_t monotonic_us64(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t monotonic_ms64(void)
{
    return monotonic_us64() / 1000;
}

/* The thresholds of src/core/deadman.ts (Liveness) and what the child
 * knows of the daemon: /proc/PID/stat open on stat_fd, its process CPU
 * clock (cpu_clock_ok when it can stand for "has not run": see
 * daemon_vitals; in the image, whether this kernel's CPU clocks can:
 * see cpu_clocks_fine) and what the last read of stat_fd found (state and
 * ticks, with the clock's reading just before it: seen_cpu_ns, -1 for
 * none), the start of the current spin window (at ref_ms, with ref_ticks
 * of CPU time), and when a look last found it alive and last found it
 * not stopped. */
struct liveness {
    int silence_ms, stopped_ms, recheck_ms, quiet_check_ms, fresh_ms, spin_window_ms, spin_percent;
    long ticks_per_s;
    int stat_fd, cpu_clock_ok;
    clockid_t cpu_clock;
    int64_t seen_cpu_ns;
    char seen_state;
    uint64_t seen_ticks;
    int64_t ref_ms, alive_ms, unstopped_ms;
    uint64_t ref_ticks;
};

/* Reads the state letter and utime + stime (clock ticks) from
 * /proc/PID/stat ("pid (comm) S ppid ... utime stime ...", fields 3, 14
 * and 15; comm may hold spaces and parentheses, so the last ')' ends it).
 * -1 if it cannot (the daemon is gone). */
static int read_vitals(int fd, char *state, uint64_t *ticks)
{
    char buf[512];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0), i, end = -1;
    int field = 3;
    uint64_t utime = 0, stime = 0;
    if (n <= 0)
        return -1;
    buf[n] = 0;
    for (i = 0; i < n; i++)
        if (buf[i] == ')')
            end = i;
    if (end < 0 || end + 2 >= n)
        return -1;
    *state = buf[end + 2];
    for (i = end + 2; i < n && field < 14; i++)
        if (buf[i] == ' ')
            field++;
    for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
        utime = utime * 10 + (uint64_t)(buf[i] - '0');
    for (i++; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
        stime = stime * 10 + (uint64_t)(buf[i] - '0');
    if (field < 14 || i >= n)
        return -1;
    *ticks = utime + stime;
    return 0;
}

static int64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts) < 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What read_vitals would find, read again only when the daemon ran since
 * the last read. Every change of what a look uses is the daemon's own
 * doing: a stop (do_signal_stop runs in the stopping task), a trace
 * stop, an exit and CPU ticks all take CPU time, so while its process
 * CPU clock (one system call, where /proc formats some fifty fields:
 * 10-20 µs against 40-65 on a cold cache here, and 64-bit divisions on a
 * 32-bit router) has not moved, the last read still holds. An idle
 * master's daemon sleeps in select, so the beacon's looks cost one
 * clock read each. */
static int daemon_vitals(struct liveness *l, char *state, uint64_t *ticks)
{
    int64_t cpu = l->cpu_clock_ok ? clock_ns(l->cpu_clock) : -1;
    if (cpu >= 0 && cpu == l->seen_cpu_ns) {
        *state = l->seen_state;
        *ticks = l->seen_ticks;
        return 0;
    }
    if (read_vitals(l->stat_fd, state, ticks) < 0)
        return -1;
    l->seen_cpu_ns = cpu;
    l->seen_state = *state;
    l->seen_ticks = *ticks;
    return 0;
}

/* Whether this kernel's CPU clocks count finer than its tick: each of
 * three busy stretches of 20 µs must move this process's own clock.
 * Where the scheduler's clock counts ticks only, a short run of the
 * daemon (a stop) could leave its clock where it was, and only /proc
 * can tell. A property of the kernel: the daemon asks once (60 µs of
 * busy waiting) and hands the answer to every watcher in its image. */
static int cpu_clocks_fine(void)
{
    static int known = -1;
    int i;
    int64_t cpu, start;
    if (known >= 0)
        return known;
    known = 1;
    for (i = 0; i < 3 && known; i++) {
        cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        start = clock_ns(CLOCK_MONOTONIC);
        while (clock_ns(CLOCK_MONOTONIC) - start < 20000)
            ;
        if (cpu < 0 || clock_ns(CLOCK_PROCESS_CPUTIME_ID) == cpu)
            known = 0;
    }
    return known;
}

/* One look at the daemon (see deadman.ts, Liveness): whether it could send
 * its adverts itself, i.e. was not found stopped (T), spinning (running
 * for spin_percent of a spin window or more: then stopped since the
 * window began) or gone; alive_ms and unstopped_ms follow. Without /proc
 * (it could not be opened) nothing can be told: alive, so that the beacon
 * goes on; a death is still seen (end of file). */
static int daemon_look(struct liveness *l, int64_t now)
{
    char state;
    uint64_t ticks;
    int64_t wall = now - l->ref_ms;
    if (l->stat_fd < 0) {
        l->alive_ms = l->unstopped_ms = now;
        return 1;
    }
    if (daemon_vitals(l, &state, &ticks) < 0)
        return 0;
    if (state == 'R' && wall >= l->spin_window_ms
        && (ticks - l->ref_ticks) * 1000u / (uint64_t)l->ticks_per_s * 100u >= (uint64_t)l->spin_percent * (uint64_t)wall) {
        l->alive_ms = l->unstopped_ms = l->ref_ms;
        return 0;
    }
    if (state == 'S' || state == 'R') {
        /* Asleep, or a window ended busy but not spinning: a new one starts. */
        if (state == 'S' || wall >= l->spin_window_ms) {
            l->ref_ms = now;
            l->ref_ticks = ticks;
        }
        l->alive_ms = l->unstopped_ms = now;
        return 1;
    }
    if (state == 'T' || state == 'Z' || state == 'X')
        return 0;
    /* Held by the kernel (D) or a tracer (t): it sends late, itself. */
    l->unstopped_ms = now;
    return 1;
}

/* Opens /proc/<parent>/stat without stdio (async-signal-safe): the
 * daemon is the child's parent. */
static int open_parent_stat(void)
{
    char path[40] = "/proc/", digits[12];
    unsigned pid = (unsigned)getppid();
    size_t n = 0, at = 6;
    do
        digits[n++] = (char)('0' + pid % 10);
    while ((pid /= 10) != 0);
    while (n > 0)
        path[at++] = digits[--n];
    memcpy(path + at, "/stat", 6);
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* Sets up the child's looks at its parent, the daemon: its /proc stat
 * file and, where the daemon found CPU clocks fine (cpu_clock_ok as the
 * image brings it), its CPU clock. */
static void open_daemon(struct liveness *l)
{
    l->stat_fd = open_parent_stat();
    l->seen_cpu_ns = -1;
    l->cpu_clock_ok = l->cpu_clock_ok && clock_getcpuclockid(getppid(), &l->cpu_clock) == 0;
}

/* A helper child's image: what it runs on, in one block without
 * pointers (each is an offset into the block), so that a fresh process
 * can take it over. The block starts with a child_head; the memory the
 * child shares with the daemon follows it in the same memfd, from
 * shared_off (a page boundary). */
struct child_head {
    uint32_t magic, kind;
    uint64_t image_len, shared_off, shared_len;
};

/* What the watcher child runs on (see watch): its image. */
struct watch_args {
    struct child_head head;
    struct liveness l;
    int sock, after_death, after_silence;
    int64_t armed_ms;
    struct plan beacons, first, then;
};

/* The watcher child: never returns. It sends each beacon datagram at its
 * due times (next due = previous due + interval; after a late wake, the
 * next one still to come: no burst), counting each in counts[i], failures
 * ignored as the daemon ignores them, but only on a look at the daemon
 * (see daemon_look) at most fresh_ms old that found it able to send its
 * adverts itself: a stopped daemon's beacon falls silent at its next due
 * time, as the daemon would. It looks at every beacon's wake, else
 * quiet_check_ms after it last found the daemon alive; after a look that
 * did not, every recheck_ms. 'D' (disarm) from the daemon ends it
 * quietly (exit 0). End of file (the daemon died), or no look finding the
 * daemon alive for silence_ms, or every look finding it stopped for
 * stopped_ms, fires the plan: the beacons stop, each datagram of `first`
 * is sent once, in order, whatever fails; then a pause (`after_death_ms`
 * or `after_silence_ms`), then `then` the same way; then 'F' back to the
 * daemon, should it ever read again, and exit 1. It polls for the
 * daemon's end closing only (POLLRDHUP; the kernel wakes a poller only
 * for the events it asked for), so it wakes for the beacons' due times
 * and rarely else. Only async-signal-safe calls: the parent is a QuickJS
 * process. */
__attribute__((noreturn)) static void watch(struct watch_args *a, volatile uint32_t *counts)
{
    int sock = a->sock, after_death_ms = a->after_death, after_silence_ms = a->after_silence;
    struct liveness *l = &a->l;
    const struct plan *beacons = &a->beacons, *first = &a->first, *then = &a->then;
    int64_t armed_ms = a->armed_ms;
    struct pollfd p;
    uint8_t buf[8 * WATCH_MSG];
    int64_t now = monotonic_ms64(), looked, next_look, next;
    ssize_t got, i;
    uint32_t k;
    int pause = after_silence_ms, due, able = 1, heard = 1;
    char state;
    struct plan_send *b;
    if (daemon_vitals(l, &state, &l->ref_ticks) < 0)
        l->ref_ticks = 0;
    l->ref_ms = l->alive_ms = l->unstopped_ms = now;
    looked = now - l->fresh_ms;
    next_look = now + l->quiet_check_ms;
    /* Each beacon's first due: the first of phase + k * interval after the
     * daemon armed the child (one that came due while an exec'd child
     * started goes out at once, as the child it replaces was disarmed). */
    for (k = 0; k < beacons->n; k++) {
        b = &beacons->sends[k];
        b->due_ms = armed_ms < b->due_ms ? b->due_ms + b->interval_ms
                                         : b->due_ms + ((armed_ms - b->due_ms) / b->interval_ms + 1) * b->interval_ms;
    }
    for (;;) {
        /* The socket is read only when poll said the daemon's end closed
         * (its 'D' comes just before): a beacon's wake costs no read. */
        while (heard) {
            got = read(sock, buf, sizeof buf);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                break; /* EAGAIN: nothing more came */
            if (got == 0) {
                pause = after_death_ms;
                goto fire;
            }
            for (i = 0; i + WATCH_MSG <= got; i += WATCH_MSG)
                if (buf[i] == 'D')
                    _exit(0);
        }
        now = monotonic_ms64();
        due = 0;
        for (k = 0; k < beacons->n; k++)
            if (beacons->sends[k].due_ms <= now)
                due = 1;
        if (now >= next_look || (due && now - looked >= l->fresh_ms)) {
            able = daemon_look(l, now);
            looked = now;
            if (now - l->alive_ms >= l->silence_ms || now - l->unstopped_ms >= l->stopped_ms)
                break;
            next_look = now + (l->alive_ms == now ? l->quiet_check_ms : l->recheck_ms);
        }
        next = INT64_MAX;
        for (k = 0; k < beacons->n; k++) {
            b = &beacons->sends[k];
            if (b->due_ms <= now) {
                if (able) {
                    sendto(b->fd, b->data, b->len, MSG_NOSIGNAL | MSG_DONTWAIT, (const struct sockaddr *)b->to, (socklen_t)b->tolen);
                    counts[k]++;
                }
                b->due_ms += ((now - b->due_ms) / b->interval_ms + 1) * b->interval_ms;
            }
            /* The next wake: the earliest beacon due. */
            if (b->due_ms < next)
                next = b->due_ms;
        }
        if (next_look < next)
            next = next_look;
        p.fd = sock;
        p.events = POLLRDHUP;
        p.revents = 0;
        got = poll(&p, 1, next > now ? (int)(next - now) : 0);
        if (got < 0 && errno != EINTR) {
            pause = after_death_ms;
            break;
        }
        heard = got != 0;
    }
fire:
    send_plan(first);
    pause_ms(pause);
    send_plan(then);
    send(sock, "F", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    _exit(1);
}

/* Unmaps a page shared with a child: JS_NewArrayBuffer's free function,
 * with the page's size as its opaque. */
static void unmap_shared(JSRuntime *rt, void *opaque, void *ptr)
{
    (void)rt;
    munmap(ptr, (size_t)(uintptr_t)opaque);
}

/* "fgwd": the head of an image (a child exec'd by hand finds none). */
#define CHILD_MAGIC 0x66677764u

struct image {
    uint8_t *buf;
    size_t len, cap;
    int bad;
};

/* Appends n bytes of p to the image, aligned for any struct: their offset
 * (0, with im->bad set, if memory ran out). */
static size_t image_put(struct image *im, const void *p, size_t n)
{
    size_t at = (im->len + 15) & ~(size_t)15, cap = im->cap ? im->cap : 1024;
    uint8_t *grown;
    if (im->bad)
        return 0;
    while (cap < at + n)
        cap *= 2;
    if (cap != im->cap) {
        grown = realloc(im->buf, cap);
        if (!grown) {
            im->bad = 1;
            return 0;
        }
        im->buf = grown;
        im->cap = cap;
    }
    memcpy(im->buf + at, p, n);
    im->len = at + n;
    return at;
}

/* Appends n bytes of p to the image and makes the pointer at offset
 * `field` of the image their offset: returns it. */
static size_t image_ref(struct image *im, size_t field, const void *p, size_t n)
{
    size_t at = image_put(im, p, n);
    void *offset = (void *)(uintptr_t)at;
    if (!im->bad)
        memcpy(im->buf + field, &offset, sizeof offset);
    return at;
}

/* In an image of len bytes at base: what a pointer that image_ref made
 * points to, n bytes; NULL if they are not all in the image. */
static void *in_image(uint8_t *base, size_t len, const void *ref, size_t n)
{
    uintptr_t at = (uintptr_t)ref;
    return at <= len && n <= len - at ? base + at : NULL;
}

/* Maps shared_len bytes (zeroed) to share with a child, and puts the
 * child's image in front of them in a memfd, which *fd gets; -1 when that
 * cannot be done (no memfd: the memory is anonymous, and the child runs in
 * the fork). MAP_FAILED if not even that. */
static void *share(struct image *im, size_t shared_len, int *fd)
{
    struct child_head *h = (struct child_head *)(void *)im->buf;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *p = MAP_FAILED;
    *fd = -1;
    if (!im->bad) {
        h->image_len = im->len;
        h->shared_off = (im->len + page - 1) / page * page;
        h->shared_len = shared_len;
        *fd = memfd_create("floatgwd", MFD_CLOEXEC);
    }
    if (*fd >= 0 && ftruncate(*fd, (off_t)(h->shared_off + shared_len)) == 0
        && pwrite(*fd, im->buf, im->len, 0) == (ssize_t)im->len)
        p = mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, (off_t)h->shared_off);
    if (p != MAP_FAILED)
        return p;
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
    return mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

/* Closes every descriptor from `lo` to `hi` (both included): one
 * close_range(2) (Linux 5.9), or, where the kernel lacks it (OpenWrt 21.02
 * runs 5.4; bench/qemu-icount.c refuses it too), one close per number up to
 * `max`, the limit of open files: 20,000 numbers cost a child 3.6 ms
 * (docs/performance.md, "From fork to armed"). */
static void close_from_to(unsigned lo, unsigned hi, int max)
{
    if (syscall(SYS_close_range, lo, hi, 0) == 0)
        return;
    for (; lo <= hi && lo < (unsigned)max; lo++)
        close((int)lo);
}

/* Forks a helper child named `name` (/proc/PID/comm, for ps and top, and
 * so that a search by comm finds the daemon alone) with its signals at
 * their defaults and every descriptor closed but the `nkeep` of `keep`
 * (in any order, repeats allowed).
 * Returns what fork returns; the child goes on only with syscalls. */
static pid_t fork_helper(const char *name, const int *keep, uint32_t nkeep)
{
    static const int defaults[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM };
    struct sigaction dfl;
    uint32_t i, k;
    unsigned lo, next;
    int max;
    pid_t pid;

    max = (int)sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_NAME, name, 0, 0, 0);
    for (k = 0; k < countof(defaults); k++)
        sigaction(defaults[k], &dfl, NULL);
    /* The gaps between the kept descriptors, lowest first. */
    for (lo = 0;; lo = next + 1) {
        next = ~0u;
        for (i = 0; i < nkeep; i++)
            if (keep[i] >= 0 && (unsigned)keep[i] >= lo && (unsigned)keep[i] < next)
                next = (unsigned)keep[i];
        if (next == ~0u)
            break;
        if (next > lo)
            close_from_to(lo, next - 1, max);
    }
    close_from_to(lo, ~0u, max);
    return 0;
}

/* In a child fork_helper made: replaces it with a fresh process of the
 * daemon's own binary (/proc/self/exe: the file it runs, even if an
 * upgrade replaced it on disk) in its C-only mode (run_child), named
 * `name` (argv[0]), with the memfd `image` as its stdin and the `nkeep`
 * descriptors of `keep` still open: the child then holds none of the
 * daemon's memory, which a fork keeps for as long as it runs (every page
 * the daemon writes afterwards is copied). Returns, having closed `image`,
 * when that cannot be done: the fork then runs the child itself. qemu-user
 * without binfmt_misc cannot exec a binary of another CPU. */
static void exec_helper(const char *name, int image, const int *keep, uint32_t nkeep)
{
    char *args[] = { (char *)name, NULL }, *env[] = { NULL };
    uint32_t i;
    int exe;
    if (image < 0)
        return;
    for (i = 0; i < nkeep; i++)
        if (keep[i] == 0) {
            close(image);
            return; /* fd 0 is taken (the daemon started without stdin) */
        }
    if (image != 0) {
        exe = dup2(image, 0);
        close(image);
        if (exe != 0)
            return;
    }
    /* After the dup2: fd 0 was free, and the binary must not take it. */
    exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (exe >= 0 && fcntl(0, F_SETFD, 0) == 0) {
        for (i = 0; i < nkeep; i++)
            fcntl(keep[i], F_SETFD, 0);
        fexecve(exe, args, env);
    }
    if (exe >= 0)
        close(exe);
    close(0);
}

/* [pid, fd] as the forking natives return them. */
static JSValue pid_and_fd(JSContext *ctx, pid_t pid, int fd)
{
    JSValue v = JS_NewArray(ctx);
    JS_SetPropertyUint32(ctx, v, 0, JS_NewInt32(ctx, pid));
    JS_SetPropertyUint32(ctx, v, 1, JS_NewInt32(ctx, fd));
    return v;
}

/* Appends the sends of p and their bytes to the image, for the plan at
 * offset `field` of the image. */
static void image_plan(struct image *im, size_t field, const struct plan *p)
{
    size_t at = image_ref(im, field + offsetof(struct plan, sends), p->sends, p->n * sizeof *p->sends), s;
    uint32_t i;
    for (i = 0; i < p->n; i++) {
        s = at + i * sizeof *p->sends;
        image_ref(im, s + offsetof(struct plan_send, data), p->sends[i].data, p->sends[i].len);
        image_ref(im, s + offsetof(struct plan_send, to), p->sends[i].to, p->sends[i].tolen);
    }
}

/* A plan of an image (see in_image) with pointers again; -1 if one points
 * out of the image. */
static int take_plan(uint8_t *base, size_t len, struct plan *p)
{
    struct plan_send *s;
    uint32_t i;
    if (p->n > 4096 || !(p->sends = in_image(base, len, p->sends, p->n * sizeof *p->sends)))
        return -1;
    for (i = 0; i < p->n; i++) {
        s = &p->sends[i];
        if (!(s->data = in_image(base, len, s->data, s->len)) || !(s->to = in_image(base, len, s->to, s->tolen)))
            return -1;
    }
    return 0;
}

/* The watcher, exec'd (run_child): its image at base, len bytes. */
__attribute__((noreturn)) static void run_watch(uint8_t *base, size_t len, void *counts)
{
    struct watch_args *a = (struct watch_args *)(void *)base;
    if (take_plan(base, len, &a->beacons) || take_plan(base, len, &a->first) || take_plan(base, len, &a->then)
        || a->head.shared_len < a->beacons.n * sizeof(uint32_t))
        _exit(2);
    open_daemon(&a->l);
    watch(a, counts);
}

static void free_watch_args(struct watch_args *a)
{
    free_plan(&a->beacons);
    free_plan(&a->first);
    free_plan(&a->then);
}

/* watcher(silenceMs, stoppedMs, recheckMs, quietCheckMs, freshMs,
 * spinWindowMs, spinPercent, afterDeathMs, afterSilenceMs, beacons, first,
 * then) -> [pid, fd, counts].
 * Forks the dead-man switch and beacon (see watch): beacons is an array of
 * [fd, datagram, sockaddr, intervalMs, phaseMs], first and then arrays of
 * [fd, datagram, sockaddr] that the child sends when the daemon dies or is
 * found hung (see watch), with a pause between them. fd is the
 * daemon's end of a non-blocking AF_UNIX stream pair (close-on-exec) for
 * its disarm message (see WATCH_MSG); 'F' or end of file on it says the
 * child fired or is gone. counts is an ArrayBuffer shared with the child
 * (MAP_SHARED): one uint32 in host order per beacon, how many times the
 * child sent it. The child keeps only its end, the plan's sockets and
 * /proc/<daemon>/stat open, and its signals at their defaults; it is
 * exec'd (exec_helper) when it can be. What the bytes mean is
 * TypeScript's business (src/daemon/watcher.ts). */
static JSValue js_watcher(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct watch_args a;
    struct image im = { NULL, 0, 0, 0 };
    uint32_t i, nkeep;
    int sv[2], *keep, image;
    size_t counts_len;
    void *counts;
    pid_t pid;
    JSValue v;

    memset(&a, 0, sizeof a);
    if (get_int(ctx, argv[0], &a.l.silence_ms) || get_int(ctx, argv[1], &a.l.stopped_ms) || get_int(ctx, argv[2], &a.l.recheck_ms)
        || get_int(ctx, argv[3], &a.l.quiet_check_ms) || get_int(ctx, argv[4], &a.l.fresh_ms) || get_int(ctx, argv[5], &a.l.spin_window_ms)
        || get_int(ctx, argv[6], &a.l.spin_percent) || get_int(ctx, argv[7], &a.after_death) || get_int(ctx, argv[8], &a.after_silence))
        return JS_EXCEPTION;
    if (a.l.silence_ms <= 0 || a.l.stopped_ms <= 0 || a.l.recheck_ms <= 0 || a.l.quiet_check_ms <= 0 || a.l.fresh_ms <= 0
        || a.l.spin_window_ms <= 0 || a.l.spin_percent <= 0 || a.after_death < 0 || a.after_silence < 0)
        return JS_ThrowRangeError(ctx, "watcher: limits must be positive, pauses not negative");
    a.l.ticks_per_s = sysconf(_SC_CLK_TCK);
    if (a.l.ticks_per_s <= 0)
        a.l.ticks_per_s = 100;
    a.l.cpu_clock_ok = cpu_clocks_fine();
    if (get_plan(ctx, argv[9], &a.beacons, 1) || get_plan(ctx, argv[10], &a.first, 0) || get_plan(ctx, argv[11], &a.then, 0)) {
        free_watch_args(&a);
        return JS_EXCEPTION;
    }
    keep = malloc((2 + a.beacons.n + a.first.n + a.then.n) * sizeof *keep);
    if (!keep) {
        free_watch_args(&a);
        return JS_ThrowOutOfMemory(ctx);
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
        free(keep);
        free_watch_args(&a);
        return throw_errno(ctx, "socketpair");
    }
    a.head.magic = CHILD_MAGIC;
    a.head.kind = 'W';
    a.sock = sv[1];
    a.armed_ms = monotonic_ms64();
    image_put(&im, &a, sizeof a);
    image_plan(&im, offsetof(struct watch_args, beacons), &a.beacons);
    image_plan(&im, offsetof(struct watch_args, first), &a.first);
    image_plan(&im, offsetof(struct watch_args, then), &a.then);
    counts_len = (a.beacons.n ? a.beacons.n : 1) * sizeof(uint32_t);
    counts = share(&im, counts_len, &image);
    free(im.buf);
    if (counts == MAP_FAILED) {
        close(sv[0]);
        close(sv[1]);
        free(keep);
        free_watch_args(&a);
        return throw_errno(ctx, "mmap");
    }
    nkeep = 0;
    keep[nkeep++] = sv[1];
    for (i = 0; i < a.beacons.n; i++)
        keep[nkeep++] = a.beacons.sends[i].fd;
    for (i = 0; i < a.first.n; i++)
        keep[nkeep++] = a.first.sends[i].fd;
    for (i = 0; i < a.then.n; i++)
        keep[nkeep++] = a.then.sends[i].fd;
    if (image >= 0)
        keep[nkeep] = image;
    pid = fork_helper("floatgwd-watch", keep, nkeep + (image >= 0));
    if (pid == 0) {
        exec_helper("floatgwd-watch", image, keep, nkeep);
        /* Opened after the others are closed, so it cannot be one of them. */
        open_daemon(&a.l);
        watch(&a, counts);
    }
    if (image >= 0)
        close(image);
    free(keep);
    free_watch_args(&a);
    close(sv[1]);
    if (pid < 0) {
        munmap(counts, counts_len);
        close(sv[0]);
        return throw_errno(ctx, "fork");
    }
    v = pid_and_fd(ctx, pid, sv[0]);
    JS_SetPropertyUint32(ctx, v, 2, JS_NewArrayBuffer(ctx, counts, counts_len, unmap_shared, (void *)(uintptr_t)counts_len, 0));
    return v;
}

/* One watch of the listener child: a datagram's template, which of its
 * bytes must match (mask non-zero), the sender's address it must come from
 * (none: any; for IPv6 raw sockets, whose filters cannot see it), the TTL
 * or hop limit it must carry (-1: any), the silence it may keep (ms), and
 * when its newest copy came (CLOCK_MONOTONIC, µs). */
struct watch {
    uint8_t *data, *mask, *from;
    size_t len, fromlen;
    int ttl, limit, active;
    uint32_t count;
    int64_t last_us;
};

static void free_watches(struct watch *w, uint32_t n)
{
    uint32_t i;
    for (i = 0; w && i < n; i++) {
        free(w[i].data);
        free(w[i].mask);
        free(w[i].from);
    }
    free(w);
}

/* Reads an array of [template, mask, from, ttl, lastAgeMs, limitMs]; NULL
 * with an exception pending. */
static struct watch *get_watches(JSContext *ctx, JSValueConst arr, uint32_t *count)
{
    JSValue len = JS_GetPropertyStr(ctx, arr, "length"), item, v;
    struct watch *w;
    uint32_t i;
    int64_t now = monotonic_ms64();
    int k, bad = 0, age;
    if (JS_ToUint32(ctx, count, len)) {
        JS_FreeValue(ctx, len);
        return NULL;
    }
    JS_FreeValue(ctx, len);
    if (*count == 0 || *count > 1024) {
        JS_ThrowRangeError(ctx, "listener: 1 to 1024 watches");
        return NULL;
    }
    w = calloc(*count, sizeof *w);
    if (!w) {
        JS_ThrowOutOfMemory(ctx);
        return NULL;
    }
    for (i = 0; i < *count && !bad; i++) {
        size_t masklen = 0;
        item = JS_GetPropertyUint32(ctx, arr, i);
        for (k = 0; k < 6 && !bad; k++) {
            v = JS_GetPropertyUint32(ctx, item, (uint32_t)k);
            if (k == 0)
                bad = !(w[i].data = copy_bytes(ctx, v, &w[i].len));
            else if (k == 1)
                bad = !(w[i].mask = copy_bytes(ctx, v, &masklen));
            else if (k == 2)
                bad = !(w[i].from = copy_bytes(ctx, v, &w[i].fromlen));
            else if (k == 3)
                bad = get_int(ctx, v, &w[i].ttl);
            else if (k == 4)
                bad = get_int(ctx, v, &age);
            else
                bad = get_int(ctx, v, &w[i].limit);
            JS_FreeValue(ctx, v);
        }
        JS_FreeValue(ctx, item);
        if (!bad && (masklen != w[i].len || age < 0 || w[i].limit <= 0 ||
                     (w[i].fromlen != 0 && w[i].fromlen != 4 && w[i].fromlen != 16))) {
            JS_ThrowRangeError(ctx, "listener: a mask as long as its template, an address of 4 or 16 bytes, a positive limit");
            bad = 1;
        }
        /* The daemon knows its master's newest advert to the millisecond:
           the deadline counts from that whole millisecond, as the daemon's
           own timer would. */
        w[i].last_us = (now - age) * 1000;
        w[i].active = 1;
    }
    if (bad) {
        free_watches(w, *count);
        return NULL;
    }
    return w;
}

/* What the listener child runs on (see listen_quietly): its image. */
struct listen_args {
    struct child_head head;
    int sock, quiet;
    uint32_t n;
    struct watch *w;
};

/* Appends the n watches of w and their bytes to the image, for the
 * pointer to them at offset `field` of the image. */
static void image_watches(struct image *im, size_t field, const struct watch *w, uint32_t n)
{
    size_t at = image_ref(im, field, w, n * sizeof *w), c;
    uint32_t i;
    for (i = 0; i < n; i++) {
        c = at + i * sizeof *w;
        image_ref(im, c + offsetof(struct watch, data), w[i].data, w[i].len);
        image_ref(im, c + offsetof(struct watch, mask), w[i].mask, w[i].len);
        image_ref(im, c + offsetof(struct watch, from), w[i].from, w[i].fromlen);
    }
}

/* Whether the datagram in buf (n bytes, received as r says) is a copy of
 * the watch's template. */
static int is_copy(const struct watch *w, const uint8_t *buf, ssize_t n, const struct received *r)
{
    size_t i;
    if (n < 0 || (size_t)n != w->len || r->truncated || (w->ttl >= 0 && r->ttl != w->ttl))
        return 0;
    for (i = 0; i < w->len; i++)
        if (w->mask[i] && buf[i] != w->data[i])
            return 0;
    if (w->fromlen == 4)
        return r->from.ss_family == AF_INET && memcmp(&((const struct sockaddr_in *)&r->from)->sin_addr, w->from, 4) == 0;
    if (w->fromlen == 16)
        return r->from.ss_family == AF_INET6 && memcmp(&((const struct sockaddr_in6 *)&r->from)->sin6_addr, w->from, 16) == 0;
    return 1;
}

/* When the datagram in r came, on CLOCK_MONOTONIC in µs: its kernel
 * timestamp's age taken from now, and held between the previous drain,
 * before which it was not queued, and now, whatever the wall clock did
 * meanwhile. */
static int64_t arrival_us(const struct received *r, int64_t since, int64_t now)
{
    int64_t age = stamp_age_us(r);
    if (age < 0)
        return now;
    return now - (age > now - since ? now - since : age);
}

/* The listener's messages, 8 bytes each both ways. Daemon → child: 'Y'
 * (read what waits, update the page and answer 'R') or 'D' (leave).
 * Child → daemon: 'S' (watch of bytes 2-3, little-endian, fell silent;
 * its newest copy came at bytes 4-7, CLOCK_MONOTONIC ms modulo 2^32,
 * little-endian) and 'R'. */
#define LISTEN_MSG 8

static void listen_say(int sock, uint8_t kind, uint32_t index, uint32_t t)
{
    uint8_t m[LISTEN_MSG] = { kind, 0, (uint8_t)index, (uint8_t)(index >> 8),
                              (uint8_t)t, (uint8_t)(t >> 8), (uint8_t)(t >> 16), (uint8_t)(t >> 24) };
    send(sock, m, sizeof m, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Datagrams read from the quiet socket by one recvmmsg: a system call
 * for all the copies of a wake-up (about three), and none that only finds
 * the socket empty (fewer than this many came). */
#define LISTEN_BATCH 8
/* The longest datagram the listener reads; a longer one is truncated, so
 * no copy of any template. */
#define LISTEN_DATAGRAM 2048

/* Reads every datagram waiting on the quiet socket and moves each watch it
 * copies on; the page gets the counts and times (host order: the daemon
 * reads them knowing it), and after them the count of datagrams that
 * copied no watch. */
static void listen_drain(int quiet, struct watch *w, uint32_t n, volatile uint32_t *page, int64_t *since)
{
    static uint8_t bufs[LISTEN_BATCH][LISTEN_DATAGRAM];
    static union control controls[LISTEN_BATCH];
    struct received r[LISTEN_BATCH];
    struct mmsghdr mm[LISTEN_BATCH];
    struct iovec iov[LISTEN_BATCH];
    uint32_t i;
    int64_t now = monotonic_us64(), t;
    int got, k, copied;
    do {
        for (k = 0; k < LISTEN_BATCH; k++) {
            receive_into(&mm[k].msg_hdr, &iov[k], bufs[k], sizeof bufs[k], &r[k], &controls[k]);
            mm[k].msg_len = 0;
        }
        got = recvmmsg(quiet, mm, LISTEN_BATCH, MSG_DONTWAIT, NULL);
        if (got < 0 && errno == EINTR)
            continue;
        for (k = 0; k < got; k++) {
            received_from(&mm[k].msg_hdr, &r[k]);
            t = arrival_us(&r[k], *since, now);
            copied = 0;
            for (i = 0; i < n; i++) {
                if (!is_copy(&w[i], bufs[k], (ssize_t)mm[k].msg_len, &r[k]))
                    continue;
                copied = 1;
                if (!w[i].active)
                    continue;
                w[i].count++;
                if (t > w[i].last_us)
                    w[i].last_us = t;
                page[2 * i] = w[i].count;
                page[2 * i + 1] = (uint32_t)(w[i].last_us / 1000);
            }
            if (!copied)
                page[2 * n]++;
        }
    } while (got == LISTEN_BATCH || (got < 0 && errno == EINTR));
    *since = now;
}

/* How long past its deadline the listener child may take to come round
 * its loop (a round takes microseconds) before its alarm ends it. */
#define LISTEN_STUCK_MS 10000

/* The listener's alarm: SIGALRM's default action ends the child, and the
 * daemon, which does not wake to look at it, learns of that by SIGCHLD and
 * arms another (a stopped child, which the alarm cannot end, the daemon
 * learns of by SIGCHLD too). Before each sleep of `wait` ms (< 0: until the
 * daemon writes; nothing to report, so nothing can be late) it must fire
 * no sooner than LISTEN_STUCK_MS after the wake. It is set LISTEN_STUCK_MS
 * further than that, so that it needs setting again only about once per
 * LISTEN_STUCK_MS rather than at each wake-up (a system call each);
 * `*due` is when it fires (CLOCK_MONOTONIC ms modulo 2^32), `*armed`
 * whether it is set. A stuck child ends at most 2 * LISTEN_STUCK_MS after
 * its deadline. */
static void listen_alarm(int32_t wait, uint32_t now, uint32_t *due, int *armed)
{
    struct itimerval t;
    uint32_t ms = (uint32_t)wait + 2 * LISTEN_STUCK_MS;
    if (wait >= 0 && *armed && (int32_t)(*due - (now + (uint32_t)wait + LISTEN_STUCK_MS)) >= 0)
        return;
    if (wait < 0 && !*armed)
        return;
    memset(&t, 0, sizeof t);
    if (wait >= 0) {
        t.it_value.tv_sec = (time_t)(ms / 1000);
        t.it_value.tv_usec = (suseconds_t)(ms % 1000) * 1000;
    }
    setitimer(ITIMER_REAL, &t, NULL);
    *armed = wait >= 0;
    *due = now + ms;
}

/* The listener child: never returns. It sleeps until the earliest watch's
 * deadline (newest copy + its limit), reads the quiet socket (which the
 * kernel lets only copies of the templates into), and reports each watch
 * whose deadline passed with no newer copy; that watch is then over. The
 * daemon wakes it only to ask for what it holds ('Y') or to end it ('D',
 * or end of file). Only async-signal-safe calls: the parent is a QuickJS
 * process. */
__attribute__((noreturn)) static void listen_quietly(int sock, int quiet, struct watch *w, uint32_t n, volatile uint32_t *page)
{
    uint8_t msg[8 * LISTEN_MSG];
    uint32_t i, alarm_due = 0;
    int64_t since = monotonic_us64(), now, left, wait;
    ssize_t got, k;
    struct pollfd p;
    struct timespec wait_ts;
    int readable = 1, n_ready, armed = 0;
    for (;;) {
        /* The socket pair is read only when poll said so: most wake-ups
         * are deadlines, and a read that finds nothing is a system call. */
        while (readable) {
            got = read(sock, msg, sizeof msg);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                break;
            if (got == 0)
                _exit(0);
            for (k = 0; k + LISTEN_MSG <= got; k += LISTEN_MSG) {
                if (msg[k] == 'D')
                    _exit(0);
                listen_drain(quiet, w, n, page, &since);
                listen_say(sock, 'R', 0, 0);
            }
        }
        listen_drain(quiet, w, n, page, &since);
        now = monotonic_us64();
        wait = -1;
        for (i = 0; i < n; i++) {
            if (!w[i].active)
                continue;
            left = (int64_t)w[i].limit * 1000 - (now - w[i].last_us);
            if (left <= 0) {
                w[i].active = 0;
                listen_say(sock, 'S', i, (uint32_t)(w[i].last_us / 1000));
            } else if (wait < 0 || left < wait) {
                wait = left;
            }
        }
        listen_alarm(wait < 0 ? -1 : (int32_t)((wait + 999) / 1000), (uint32_t)(now / 1000), &alarm_due, &armed);
        p.fd = sock;
        p.events = POLLIN;
        p.revents = 0;
        /* To the microsecond: a wait in whole ms, from a clock read to the
           microsecond, would end up to 1 ms past the deadline. */
        wait_ts.tv_sec = (time_t)(wait / 1000000);
        wait_ts.tv_nsec = (long)(wait % 1000000) * 1000;
        n_ready = ppoll(&p, 1, wait < 0 ? NULL : &wait_ts, NULL);
        if (n_ready < 0 && errno != EINTR)
            _exit(1);
        readable = n_ready > 0;
    }
}

/* The listener, exec'd (run_child): its image at base, len bytes. */
__attribute__((noreturn)) static void run_listen(uint8_t *base, size_t len, void *page)
{
    struct listen_args *a = (struct listen_args *)(void *)base;
    struct watch *w;
    uint32_t i;
    if (a->n == 0 || a->n > 1024 || a->head.shared_len < (2 * (size_t)a->n + 1) * sizeof(uint32_t)
        || !(a->w = in_image(base, len, a->w, a->n * sizeof *a->w)))
        _exit(2);
    for (i = 0; i < a->n; i++) {
        w = &a->w[i];
        if (!(w->data = in_image(base, len, w->data, w->len)) || !(w->mask = in_image(base, len, w->mask, w->len))
            || !(w->from = in_image(base, len, w->from, w->fromlen)))
            _exit(2);
    }
    listen_quietly(a->sock, a->quiet, a->w, a->n, page);
}

/* listener(quietFd, watches) -> [pid, fd, page]. Forks the backup's
 * listener (see listen_quietly): watches are [template, mask, from, ttl,
 * lastAgeMs, limitMs] (see struct watch; lastAgeMs: how long ago the
 * newest copy came). fd is the daemon's end of a non-blocking AF_UNIX
 * stream pair (close-on-exec) for LISTEN_MSG messages. page, shared with
 * the child, holds for watch i its count of copies (uint32 i*2) and its
 * newest copy's time (i*2+1), then the count of datagrams that copied no
 * watch, in host order. Turns SO_TIMESTAMPNS on for quietFd. What the
 * bytes mean is TypeScript's business (src/daemon/listener.ts). */
static JSValue js_listener(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct listen_args a;
    struct image im = { NULL, 0, 0, 0 };
    int sv[2], keep[3], image, on = 1;
    size_t size;
    void *page;
    pid_t pid;
    JSValue v;

    memset(&a, 0, sizeof a);
    if (get_int(ctx, argv[0], &a.quiet) || !(a.w = get_watches(ctx, argv[1], &a.n)))
        return JS_EXCEPTION;
    size = (2 * (size_t)a.n + 1) * sizeof(uint32_t);
    /* Without timestamps (an emulator may refuse them) a copy counts as
     * come when the child reads it: later than it did, never earlier. */
    setsockopt(a.quiet, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
        free_watches(a.w, a.n);
        return throw_errno(ctx, "socketpair");
    }
    a.head.magic = CHILD_MAGIC;
    a.head.kind = 'L';
    a.sock = sv[1];
    image_put(&im, &a, sizeof a);
    image_watches(&im, offsetof(struct listen_args, w), a.w, a.n);
    page = share(&im, size, &image);
    free(im.buf);
    if (page == MAP_FAILED) {
        close(sv[0]);
        close(sv[1]);
        free_watches(a.w, a.n);
        return throw_errno(ctx, "mmap");
    }
    keep[0] = sv[1];
    keep[1] = a.quiet;
    keep[2] = image;
    pid = fork_helper("floatgwd-listen", keep, image < 0 ? 2 : 3);
    if (pid == 0) {
        exec_helper("floatgwd-listen", image, keep, 2);
        listen_quietly(a.sock, a.quiet, a.w, a.n, page);
    }
    if (image >= 0)
        close(image);
    free_watches(a.w, a.n);
    close(sv[1]);
    if (pid < 0) {
        munmap(page, size);
        close(sv[0]);
        return throw_errno(ctx, "fork");
    }
    v = pid_and_fd(ctx, pid, sv[0]);
    JS_SetPropertyUint32(ctx, v, 2, JS_NewArrayBuffer(ctx, page, size, unmap_shared, (void *)(uintptr_t)size, 0));
    return v;
}

/* The binary's read-only part, code and constants (the linker's symbols:
 * its start, and the first section written, which ends it). */
extern const char __executable_start[], __init_array_start[];

/* Unmaps the read-only part of the binary (code, constants, bytecode),
 * which the exec's start-up mapped: the kernel maps back the pages the
 * helper touches again, each with those around it that the page cache
 * holds (fault-around, 64 KB), about half as many. */
static void forget_code(void)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)__executable_start & ~(page - 1), end = (uintptr_t)__init_array_start & ~(page - 1);
    madvise((void *)start, end - start, MADV_DONTNEED);
}

/* The C-only mode of the binary, for a helper child that exec_helper
 * started: main() calls it before any engine exists. Returns when `name`
 * (argv[0]) is not a helper's; otherwise takes the image on stdin (see
 * struct child_head) and runs the helper, never to return. */
int helper_child(const char *name)
{
    return strcmp(name, "floatgwd-watch") == 0 ? 'W' : strcmp(name, "floatgwd-listen") == 0 ? 'L' : 0;
}

void run_child(const char *name)
{
    struct child_head h;
    uint8_t *base;
    void *shared;
    uint32_t kind = (uint32_t)helper_child(name);
    size_t least = kind == 'W' ? sizeof(struct watch_args) : sizeof(struct listen_args);
    if (!kind)
        return;
    prctl(PR_SET_NAME, name, 0, 0, 0);
    base = NULL;
    shared = MAP_FAILED;
    if (pread(0, &h, sizeof h, 0) == (ssize_t)sizeof h && h.magic == CHILD_MAGIC && h.kind == kind
        && h.image_len >= least && h.image_len <= h.shared_off && (base = malloc(h.image_len)) != NULL
        && pread(0, base, h.image_len, 0) == (ssize_t)h.image_len)
        shared = mmap(NULL, h.shared_len, PROT_READ | PROT_WRITE, MAP_SHARED, 0, (off_t)h.shared_off);
    if (shared == MAP_FAILED) {
        static const char msg[] = ": started by floatgwd only (it reads its plan on stdin)\n";
        write(2, name, strlen(name));
        write(2, msg, sizeof msg - 1);
        _exit(2);
    }
    /* The image's pages go now; the memfd lives on for the shared page. */
    fallocate(0, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)h.shared_off);
    close(0);
    forget_code();
    if (kind == 'W')
        run_watch(base, h.image_len, shared);
    run_listen(base, h.image_len, shared);
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
    JS_CFUNC_DEF("watcher", 12, js_watcher),
    JS_CFUNC_DEF("listener", 2, js_listener),
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
    C(SOL_SOCKET), C(SO_BINDTODEVICE), C(SO_RCVBUF), C(SO_SNDBUF), C(SO_REUSEADDR), C(SO_TIMESTAMPNS),
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
    /* QuickJS's os module has no SIGHUP, which procd's reload sends, nor
     * WUNTRACED, with which the daemon finds a helper child stopped. */
    C(SIGHUP), C(SIGKILL), C(WUNTRACED),
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
