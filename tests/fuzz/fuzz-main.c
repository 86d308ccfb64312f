/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-main.c: the plain driver every fuzz target links when not built with libFuzzer. It
 * replays every file of the directories (or files) given on the command line through
 * LLVMFuzzerTestOneInput, so corpora and saved crashes run as ordinary tests in normal CI.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	buf = malloc(1 << 22);
	if (!buf) {
		fclose(f);
		return 1;
	}
	n = fread(buf, 1, 1 << 22, f);
	fclose(f);
	/* copy to an exact-size allocation so ASan sees reads past the end */
	uint8_t *exact = malloc(n ? n : 1);
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned files = 0;
	int fail = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) < 0)
			continue; /* an absent crash directory is fine */
		if (!S_ISDIR(st.st_mode)) {
			fail |= run_file(argv[i]);
			files++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			return 1;
		while ((e = readdir(d))) {
			char path[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			fail |= run_file(path);
			files++;
		}
		closedir(d);
	}
	printf("%u inputs replayed\n", files);
	return fail;
}
