/*
 * tests/unit/dtb_fixture.h - the real configurations as test fixtures: every
 * dts/<name>.dts compiled the way the GNUmakefile does (cpp | dtc) into a blob in
 * memory, so the tests always see the current sources. The directory is
 * $UNIT_DTS_DIR, or dts/ (tests run from the repository root).
 * Include it in one file of a test binary.
 */
#ifndef UNIT_DTB_FIXTURE_H
#define UNIT_DTB_FIXTURE_H

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dtb_fixture {
	char name[64];		/* e.g. "pc.dts" */
	void *blob;		/* malloc'ed, exactly 'size' bytes */
	size_t size;
};

static const char *dtb_fixture_dir(void)
{
	const char *d = getenv("UNIT_DTS_DIR");

	return d && *d ? d : "dts";
}

/* Compile one .dts; returns a malloc'ed blob or NULL (with a message). */
static void *dtb_fixture_compile(const char *dts, size_t *size)
{
	const char *dir = dtb_fixture_dir();
	char cmd[1024];
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap);
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "cpp -nostdinc -undef -x assembler-with-cpp -I%s -I%s/include '%s' | "
		 "dtc -q -I dts -O dtb", dir, dir, dts);
	p = popen(cmd, "r");
	if (!p || !buf) {
		fprintf(stderr, "dtb_fixture: cannot run: %s\n", cmd);
		free(buf);
		return NULL;
	}
	while ((got = fread(buf + n, 1, cap - n, p)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
	}
	if (pclose(p) != 0 || !buf || n == 0) {
		fprintf(stderr, "dtb_fixture: '%s' failed\n", cmd);
		free(buf);
		return NULL;
	}
	/* exactly n bytes, so a read past the blob is an ASan report */
	*size = n;
	return realloc(buf, n);
}

/* Compile every dts in the directory; returns how many (0 on any failure). */
static int dtb_fixture_load_all(struct dtb_fixture *out, int max)
{
	char pattern[512];
	glob_t g;
	int n = 0;

	snprintf(pattern, sizeof(pattern), "%s/*.dts", dtb_fixture_dir());
	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (size_t i = 0; i < g.gl_pathc && n < max; i++, n++) {
		const char *base = strrchr(g.gl_pathv[i], '/');

		snprintf(out[n].name, sizeof(out[n].name), "%s", base ? base + 1 : g.gl_pathv[i]);
		out[n].blob = dtb_fixture_compile(g.gl_pathv[i], &out[n].size);
		if (!out[n].blob) {
			while (n-- > 0)
				free(out[n].blob);
			globfree(&g);
			return 0;
		}
	}
	globfree(&g);
	return n;
}

static void dtb_fixture_free_all(struct dtb_fixture *f, int n)
{
	for (int i = 0; i < n; i++)
		free(f[i].blob);
}

#endif
