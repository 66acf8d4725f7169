/* The bench client's probe of the VIP: one ICMP echo request every
 * INTERVAL_MS to an IPv4 address, printing each reply as `ping -D -n` does,
 * so test/lab/ping-gap.mjs reads either.
 *
 * Why not iputils ping: below 10 ms between probes it spins on a CPU
 * between them (99 % of one in `ps` at 2 ms), and on a two-CPU machine that
 * slows whatever else the bench times by a millisecond or two. fping keeps
 * at least 10 ms between probes to one address. This one sleeps in ppoll
 * until the next send's deadline or a reply, so it costs a few µs a probe.
 *
 * Sends are on a fixed grid (start + n × interval), not "interval after the
 * last send", so a late wake-up does not shift the probes that follow; the
 * slots a stall missed are skipped, not sent in a burst after it.
 * Reply times are the kernel's receive stamps (SO_TIMESTAMPNS), as ping's
 * are. SIGINT or SIGTERM prints ping's summary line and exits.
 *
 * usage: echo-probe INTERVAL_MS IPV4_ADDRESS  (root: it opens a raw socket) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ping's default: 56 bytes of data, 64 with the ICMP header. */
#define DATA_BYTES 56
#define NS_PER_S 1000000000LL

static volatile sig_atomic_t stopping;

static void on_stop(int sig) {
  (void)sig;
  stopping = 1;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* RFC 1071: the ones' complement of the ones' complement sum of 16-bit
 * words. Summing the words as they lie in memory gives the checksum in the
 * same (network) order on either byte order. */
static uint16_t checksum(const void *data, size_t len) {
  const uint8_t *p = data;
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) {
    uint16_t word;
    memcpy(&word, p + i, 2);
    sum += word;
  }
  if (len & 1) {
    uint16_t last = 0;
    memcpy(&last, p + len - 1, 1);
    sum += last;
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void send_echo(int fd, const struct sockaddr_in *to, uint16_t id, uint16_t seq) {
  uint8_t packet[sizeof(struct icmphdr) + DATA_BYTES] = {0};
  struct icmphdr *icmp = (struct icmphdr *)packet;
  icmp->type = ICMP_ECHO;
  icmp->un.echo.id = htons(id);
  icmp->un.echo.sequence = htons(seq);
  icmp->checksum = checksum(packet, sizeof packet);
  /* A full socket buffer or a missing route is a lost probe, as with ping:
   * the gap it leaves is what the bench measures. */
  (void)sendto(fd, packet, sizeof packet, 0, (const struct sockaddr *)to, sizeof *to);
}

/* Reads every queued datagram; prints the echo replies that are ours. */
static long drain_replies(int fd, const struct sockaddr_in *to, uint16_t id) {
  long replies = 0;
  for (;;) {
    uint8_t buf[1500];
    char control[CMSG_SPACE(sizeof(struct timespec))];
    struct sockaddr_in from;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0) return replies;
    /* A raw ICMP socket hands over the IP header too. */
    if ((size_t)n < sizeof(struct iphdr)) continue;
    size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
    if ((size_t)n < ihl + sizeof(struct icmphdr) || from.sin_addr.s_addr != to->sin_addr.s_addr) continue;
    const struct icmphdr *icmp = (const struct icmphdr *)(buf + ihl);
    if (icmp->type != ICMP_ECHOREPLY || ntohs(icmp->un.echo.id) != id) continue;
    struct timespec stamp = {0, 0};
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
    if (stamp.tv_sec == 0) clock_gettime(CLOCK_REALTIME, &stamp);
    char addr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from.sin_addr, addr, sizeof addr);
    printf("[%lld.%06ld] %zu bytes from %s: icmp_seq=%u ttl=%u\n", (long long)stamp.tv_sec, stamp.tv_nsec / 1000,
           (size_t)n - ihl, addr, ntohs(icmp->un.echo.sequence), buf[8]);
    replies++;
  }
}

int main(int argc, char **argv) {
  char *end;
  double interval_ms = argc == 3 ? strtod(argv[1], &end) : 0;
  struct sockaddr_in to = {.sin_family = AF_INET};
  if (argc != 3 || *end || !(interval_ms >= 0.1 && interval_ms <= 10000) || inet_pton(AF_INET, argv[2], &to.sin_addr) != 1) {
    fprintf(stderr, "usage: echo-probe INTERVAL_MS IPV4_ADDRESS  (0.1 ≤ INTERVAL_MS ≤ 10000)\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (fd < 0) {
    perror("echo-probe: raw ICMP socket (needs root)");
    return 1;
  }
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  /* The default 50 µs of timer slack is a fortieth of a 2 ms interval. */
  prctl(PR_SET_TIMERSLACK, 1000UL);
  struct sigaction stop = {.sa_handler = on_stop};
  sigaction(SIGINT, &stop, NULL);
  sigaction(SIGTERM, &stop, NULL);
  /* In blocks, not a line per reply: each write wakes the bench's reader
   * (node, on the same two CPUs as what it times), 500 times a second at
   * 2 ms. Nothing reads the replies before SIGINT. */
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);

  const uint16_t id = (uint16_t)getpid();
  const int64_t interval_ns = (int64_t)(interval_ms * 1e6);
  const int64_t start = now_ns();
  long sent = 0, received = 0;
  int64_t slot = 0;
  while (!stopping) {
    int64_t now = now_ns();
    int64_t wait = start + slot * interval_ns - now;
    if (wait <= 0) {
      /* ping's icmp_seq counts from 1. */
      send_echo(fd, &to, id, (uint16_t)(sent + 1));
      sent++;
      slot = (now - start) / interval_ns + 1;
      continue;
    }
    struct pollfd pfd = {fd, POLLIN, 0};
    struct timespec timeout = {wait / NS_PER_S, wait % NS_PER_S};
    if (ppoll(&pfd, 1, &timeout, NULL) > 0) received += drain_replies(fd, &to, id);
  }
  received += drain_replies(fd, &to, id);
  char addr[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &to.sin_addr, addr, sizeof addr);
  printf("\n--- %s ping statistics ---\n%ld packets transmitted, %ld received\n", addr, sent, received);
  return 0;
}
