/*
 * tests/guests/linux/tscmark.c - the Linux guest's boot marker: reads the
 * TSC once and prints "XVX-LINUX-INIT tsc=<decimal TSC>\n" on its standard
 * output (the console, from tests/guests/linux/init), then exits 0.
 *
 * Owns only that line. No libc: its own _start and the two raw x86-64 Linux
 * system calls it needs (write, exit), so it runs in the initramfs before
 * anything else is set up. Built by scripts/fetch-linux.sh with the host gcc:
 *   gcc -static -nostdlib -O2 ... tscmark.c -o tscmark
 * The TSC is read with LFENCE before RDTSC so that earlier instructions of
 * the boot are retired when it is sampled.
 */
typedef unsigned long u64;

static long sys_write(int fd, const void *buf, u64 len)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(1L), "D"((long)fd), "S"(buf), "d"(len)
			 : "rcx", "r11", "memory");
	return ret;
}

static __attribute__((noreturn)) void sys_exit(int code)
{
	for (;;)
		__asm__ volatile("syscall" : : "a"(60L), "D"((long)code) : "rcx", "r11", "memory");
}

static u64 read_tsc(void)
{
	unsigned int lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
}

/* The line: the prefix is in place, digits and newline go after it. */
static char line[] = "XVX-LINUX-INIT tsc=" "01234567890123456789" "\n";
#define PREFIX_LEN (sizeof("XVX-LINUX-INIT tsc=") - 1)

static void mark(void)
{
	u64 tsc = read_tsc();
	u64 ndigits = 1, n;

	for (u64 v = tsc; v >= 10; v /= 10)
		ndigits++;
	n = PREFIX_LEN + ndigits;
	for (u64 i = n, v = tsc; i > PREFIX_LEN; v /= 10)
		line[--i] = (char)('0' + v % 10);
	line[n++] = '\n';
	sys_exit(sys_write(1, line, n) == (long)n ? 0 : 1);
}

/* The kernel enters with RSP at argc (16-byte aligned): align for the call. */
__asm__(".globl _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	and $-16, %rsp\n"
	"	call tscmark_main\n"
	"	ud2\n");

__attribute__((used, noreturn)) void tscmark_main(void)
{
	mark();
	sys_exit(1);
}
