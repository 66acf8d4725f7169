/* Counts the guest instructions a program runs under qemu-user, from the
 * log of `qemu-<cpu> -d op,exec,nochain -D <fifo>` read on stdin. Each
 * translated block is logged once with its TCG ops, which hold one
 * " ---- <pc> ..." marker per guest instruction (exact for MIPS16 too, which
 * qemu's in_asm listing disassembles wrongly); with chaining off, every
 * execution of a block logs a "Trace" line naming its PC. A block is taken
 * to run to its end (it leaves early only on a fault). SIGUSR1 writes the
 * running count to the file named by the only argument; so does the end of
 * the log. bench/engine-cost.sh reads it before and after a window.
 *
 * A guest's fork is a fork of qemu: the child keeps the parent's log (and
 * its translated blocks, at the same guest addresses) and logs to it too,
 * so the count is the whole process tree's. Unless the child closes every
 * descriptor, as floatgwd's helpers do (fork_helper in src/native/native.c):
 * qemu 7.2 lets the guest close its log, and the child then runs unlogged.
 * `qemu-icount --run CMD...` runs CMD (the emulator) with that close made a
 * no-op (seccomp: close() of the descriptor qemu opens its log on, the
 * lowest free one, returns 0 and does nothing), so the helpers' instructions
 * are counted with their daemon's. The helpers close a range at once with
 * close_range(2), which qemu passes on to the host: that fails with ENOSYS
 * here, as on a kernel older than 5.9, and the helpers then close one
 * descriptor at a time.
 *
 * Two processes writing one log may interleave: a child's Trace line can
 * fall inside a listing of the parent's (qemu flushes a record per write
 * of at most 4 KiB, atomic on a pipe, but a long listing takes several).
 * So a listing ends at a Trace of its own block or at the next listing,
 * not at any Trace; its size so far is kept for the Trace lines between. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HOST_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define HOST_ARCH AUDIT_ARCH_AARCH64
#endif

#define SLOTS (1u << 22) /* open addressing; far more than the blocks of one program */
static unsigned long pcs[SLOTS];
static unsigned counts[SLOTS];

static unsigned *slot(unsigned long pc) {
  unsigned long h = (pc * 2654435761u) & (SLOTS - 1);
  while (pcs[h] && pcs[h] != pc) h = (h + 1) & (SLOTS - 1);
  pcs[h] = pc;
  return &counts[h];
}

static volatile sig_atomic_t dump;
static void on_usr1(int sig) { (void)sig; dump = 1; }

static void write_count(const char *path, unsigned long long n) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return;
  fprintf(f, "%llu\n", n);
  fclose(f);
  rename(tmp, path);
}

/* Execs argv with close(fd) a no-op for the lowest descriptor free now
 * (the first the emulator opens: its log) and close_range refused.
 * Returns only on failure. */
static int run_keeping_log(char **argv) {
#ifdef HOST_ARCH
  int fd = 0;
  while (fcntl(fd, F_GETFD) != -1 || errno != EBADF) fd++;
  struct sock_filter code[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HOST_ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close_range, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close, 0, 3),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])), /* low half */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)fd, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0), /* skipped, returns 0 */
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { sizeof code / sizeof code[0], code };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
    perror("qemu-icount: seccomp");
    return 1;
  }
  execvp(argv[0], argv);
  perror(argv[0]);
  return 1;
#else
  (void)argv;
  fprintf(stderr, "qemu-icount: --run knows x86_64 and aarch64 hosts only\n");
  return 1;
#endif
}

int main(int argc, char **argv) {
  if (argc > 2 && !strcmp(argv[1], "--run")) return run_keeping_log(argv + 2);
  if (argc != 2) {
    fprintf(stderr, "usage: qemu-icount <count-file> < qemu-log | qemu-icount --run CMD...\n");
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1; /* no SA_RESTART: a blocked read returns EINTR */
  sigaction(SIGUSR1, &sa, NULL);
  unsigned long long total = 0;
  unsigned long block = 0; /* first PC of the block being listed */
  unsigned n = 0;          /* its instructions so far */
  char line[1024];
  for (;;) {
    if (dump) {
      dump = 0;
      write_count(argv[1], total);
    }
    if (!fgets(line, sizeof line, stdin)) {
      if (ferror(stdin)) { clearerr(stdin); continue; } /* EINTR */
      break;
    }
    if (!strncmp(line, " ---- ", 6)) {
      if (!n++) block = strtoul(line + 6, NULL, 16);
    } else if (!strncmp(line, "Trace ", 6)) {
      char *b = strchr(line, '[');
      char *pc = b ? strchr(b, '/') : NULL;
      if (!pc) continue;
      unsigned long at = strtoul(pc + 1, NULL, 16);
      if (n) {
        *slot(block) = n;
        if (at == block) n = 0;
      }
      total += *slot(at);
    } else if (!strncmp(line, "OP:", 3)) {
      if (n) *slot(block) = n; /* translated but not run (yet) */
      n = 0;
    }
  }
  write_count(argv[1], total);
  return 0;
}
