/*
 * kernel/cmdline.c - parsing of the kernel command line (see cmdline.h).
 */
#include <string.h>
#include "kernel/cmdline.h"
#include "kernel/error.h"

/*
 * Scan the word starting at *p. Sets key/keylen and the raw value (without
 * the surrounding quotes) val/vallen (vallen = -1 for a bare word), and
 * advances *p past the word. Both key="a b" and "key=a b" (GRUB's way of
 * passing a word with spaces) are understood.
 */
static bool next_word(const char **p, const char **key, size_t *keylen,
		      const char **val, long *vallen)
{
	const char *s = *p;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s)
		return false;
	if (*s == '"') {
		/* GRUB quotes a whole word that holds spaces: "key=a b c" */
		const char *end;

		*key = ++s;
		end = strchr(s, '"');
		if (!end)
			end = s + strlen(s);
		while (s < end && *s != '=')
			s++;
		*keylen = s - *key;
		*vallen = -1;
		if (s < end) {
			*val = s + 1;
			*vallen = end - (s + 1);
		}
		*p = *end ? end + 1 : end;
		return true;
	}
	*key = s;
	while (*s && *s != '=' && *s != ' ' && *s != '\t' && *s != '\n')
		s++;
	*keylen = s - *key;
	*vallen = -1;
	if (*s == '=') {
		s++;
		if (*s == '"') {
			*val = ++s;
			while (*s && *s != '"')
				s++;
			*vallen = s - *val;
			if (*s == '"')
				s++;
		} else {
			*val = s;
			while (*s && *s != ' ' && *s != '\t' && *s != '\n')
				s++;
			*vallen = s - *val;
		}
	}
	*p = s;
	return true;
}

int vmm_cmdline_get(const char *cmdline, const char *key, char *val, size_t size)
{
	const char *p = cmdline, *k, *v = NULL, *found = NULL;
	size_t kl, want = strlen(key);
	long vl, found_len = -1;

	while (p && next_word(&p, &k, &kl, &v, &vl)) {
		if (kl == want && !strncmp(k, key, kl) && vl >= 0) {
			found = v;
			found_len = vl;
		}
	}
	if (!found)
		return -VMM_ENOENT;
	if (size) {
		size_t n = (size_t)found_len < size - 1 ? (size_t)found_len : size - 1;

		memcpy(val, found, n);
		val[n] = 0;
	}
	if ((size_t)found_len >= size)
		return -VMM_ERANGE;
	return (int)found_len;
}

bool vmm_cmdline_has(const char *cmdline, const char *key)
{
	const char *p = cmdline, *k, *v;
	size_t kl, want = strlen(key);
	long vl;

	while (p && next_word(&p, &k, &kl, &v, &vl))
		if (kl == want && !strncmp(k, key, kl))
			return true;
	return false;
}

void vmm_cmdline_foreach(const char *cmdline,
			 void (*fn)(const char *key, size_t keylen, void *user), void *user)
{
	const char *p = cmdline, *k, *v;
	size_t kl;
	long vl;

	while (p && next_word(&p, &k, &kl, &v, &vl))
		fn(k, kl, user);
}
