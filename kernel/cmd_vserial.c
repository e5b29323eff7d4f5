/*
 * kernel/cmd_vserial.c - the "vserial" command: list the virtual serial
 * endpoints, show an endpoint's recent output, send text to a guest's UART
 * from the host side, and bind the terminal to a guest console.
 */
#include <string.h>
#include "kernel/cmd.h"
#include "kernel/vserial.h"
#include "kernel/printk.h"
#include "kernel/heap.h"
#include "kernel/error.h"
#include "kernel/term.h"

/* "\n" and "\r" in the text stand for those bytes (a command line has none). */
static size_t unescape(const char *in, u8 *out, size_t max)
{
	size_t n = 0;

	for (; *in && n < max; in++) {
		if (in[0] == '\\' && (in[1] == 'n' || in[1] == 'r')) {
			out[n++] = in[1] == 'n' ? '\n' : '\r';
			in++;
		} else {
			out[n++] = (u8)*in;
		}
	}
	return n;
}

/* One line of 'vserial list' (under the vserial lock). */
static void list_one(struct vmm_vserial *vs, void *arg)
{
	(void)arg;
	vmm_printk(VMM_LOG_EMERG, "  %-32s %10llu %10llu\n", vs->name,
		   (unsigned long long)vs->bytes_out, (unsigned long long)vs->bytes_in);
}

/* One line of 'vserial dump'. */
static void dump_line(const char *text, size_t len, void *arg)
{
	vmm_printk(VMM_LOG_EMERG, "%s| %.*s\n", (const char *)arg, (int)len, text);
}

/* 'vserial dump <endpoint>': its recent output from the ring, line by line. */
static int dump(const char *name)
{
	u8 *buf = vmm_malloc(VMM_VSERIAL_RING);
	u64 total = 0;
	int n = buf ? vmm_vserial_recent(name, buf, VMM_VSERIAL_RING, &total) : -VMM_ENOMEM;

	if (n == -VMM_ENOENT)
		vmm_vserial_refused("dump", name, n);
	else if (n < 0)
		vmm_printk(VMM_LOG_EMERG, "vserial dump: out of memory\n");
	if (n >= 0) {
		vmm_printk(VMM_LOG_EMERG, "vserial dump %s: last %d of %llu bytes\n", name, n,
			   (unsigned long long)total);
		vmm_vserial_lines(buf, (size_t)n, total > (u64)n, dump_line, (void *)name);
	}
	vmm_free(buf);
	return n < 0 ? n : VMM_OK;
}

static int cmd_vserial(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return dump(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "bind")) {
		int rc = vmm_term_bind(argv[2]);

		return vmm_vserial_refused("bind", argv[2], rc);
	}
	if (argc == 2 && !strcmp(argv[1], "list")) {
		vmm_printk(VMM_LOG_EMERG, "  %-32s %10s %10s\n", "endpoint", "bytes out", "bytes in");
		vmm_vserial_for_each(list_one, NULL);
		return VMM_OK;
	}
	if (argc >= 4 && !strcmp(argv[1], "send")) {
		u8 buf[VMM_CMD_LINE_MAX];
		size_t n = 0;
		int rc;

		for (int i = 3; i < argc && n < sizeof(buf); i++) {
			if (i > 3)
				buf[n++] = ' ';
			n += unescape(argv[i], buf + n, sizeof(buf) - n);
		}
		/* looked up and fed under the vserial lock: a guest being
		 * destroyed meanwhile cannot free the endpoint under us */
		rc = vmm_vserial_send_name(argv[2], buf, n);
		if (rc >= 0 && (size_t)rc < n)
			vmm_printk(VMM_LOG_EMERG, "vserial: %s took %d of %zu bytes (its input queue is full: the guest does not read)\n",
				   argv[2], rc, n);
		return rc < 0 ? vmm_vserial_refused("send", argv[2], rc) : VMM_OK;
	}
	vmm_printk(VMM_LOG_EMERG, "usage: vserial list | send <endpoint> <text> | dump <endpoint> | bind <endpoint>  (\\n, \\r for line ends; ESC x q leaves bind)\n");
	return -VMM_EINVALID;
}

VMM_CMD(vserial, "vserial list|bind|dump|send",
	"list guest consoles, bind the terminal to one, show recent output, send text", cmd_vserial);
