/* Counts the guest instructions a program runs under qemu-user, from the
 * log of `qemu-<cpu> -d op,exec,nochain -D <fifo>` read on stdin. Each
 * translated block is logged once with its TCG ops, which hold one
 * " ---- <pc> ..." marker per guest instruction (exact for MIPS16 too, which
 * qemu's in_asm listing disassembles wrongly); with chaining off, every
 * execution of a block logs a "Trace" line naming its PC. A block is taken
 * to run to its end (it leaves early only on a fault). SIGUSR1 writes the
 * running count to the file named by the only argument; so does the end of
 * the log. bench/engine-cost.sh reads it before and after a window. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: qemu-icount <count-file> < qemu-log\n");
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
      if (n) { *slot(block) = n; n = 0; }
      char *b = strchr(line, '[');
      char *pc = b ? strchr(b, '/') : NULL;
      if (pc) total += *slot(strtoul(pc + 1, NULL, 16));
    } else if (!strncmp(line, "OP:", 3)) {
      if (n) *slot(block) = n; /* translated but not run (yet) */
      n = 0;
    }
  }
  write_count(argv[1], total);
  return 0;
}
