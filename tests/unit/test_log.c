// SPDX-License-Identifier: GPL-2.0
/* Host tests of lib/log.c's console side (no kernel log here): a line per line, long lines
 * cut into records the kernel takes, the level's tag, quiet. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"

/* Run the logging calls of fn with stderr in a file; what was written, NUL-terminated. */
static char *captured(void (*fn)(void))
{
	static char buf[65536];
	char path[] = "/tmp/test_log.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0 || saved < 0)
		return buf;
	unlink(path);
	dup2(fd, STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static void multi(void)
{
	log_setup(false, false, false);
	log_msg(LOG_WARN, "first\nsecond\n\nfourth\n");
}

TEST(log_one_line_per_line_tag_on_the_first)
{
	CHECK_STR(captured(multi), "livestack: warning: first\nlivestack:   second\n"
		  "livestack:   \nlivestack:   fourth\n");
}

static void long_line(void)
{
	char text[3001];

	memset(text, 'x', 3000);
	text[3000] = '\0';
	log_setup(false, false, false);
	log_msg(LOG_INFO, "%s", text);
}

TEST(log_long_line_cut_into_records)
{
	char *out = captured(long_line), *line, *save = NULL;
	size_t total = 0, lines = 0, longest = 0;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		const char *x = strchr(line, 'x');

		CHECK(!strncmp(line, "livestack: ", 11));
		if (len > longest)
			longest = len;
		total += x ? strspn(x, "x") : 0;
		lines++;
	}
	CHECK_EQ(total, 3000);
	CHECK(lines >= 4);
	/* with "<N>" and the newline, each record is under the kernel's 1024 bytes */
	CHECK(longest + 4 < 1024);
}

static void utf8(void)
{
	char text[2100];
	size_t i;

	for (i = 0; i + 2 < sizeof(text); i += 2)
		memcpy(text + i, "\xc3\xa9", 2);	/* é */
	text[i] = '\0';
	log_setup(false, false, false);
	log_msg(LOG_INFO, "%s", text);
}

TEST(log_cut_not_inside_a_character)
{
	char *out = captured(utf8), *line, *save = NULL;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);

		CHECK(len > 0 && ((unsigned char)line[len - 1] & 0xc0) != 0xc0);
		CHECK(((unsigned char)line[11] & 0xc0) != 0x80 && ((unsigned char)line[13] & 0xc0) != 0x80);
	}
}

static void quiet(void)
{
	log_setup(false, true, false);
	log_msg(LOG_INFO, "not shown");
	log_msg(LOG_DEBUG, "not shown either");
	log_msg(LOG_ERR, "shown");
	log_setup(false, false, false);
}

TEST(log_quiet_shows_warnings_and_errors)
{
	CHECK_STR(captured(quiet), "livestack: error: shown\n");
}

static void ident(void)
{
	log_ident("livestack-shutdown");
	log_setup(false, false, false);
	log_msg(LOG_NOTICE, "bye");
	log_ident("livestack");
}

TEST(log_ident_names_the_program)
{
	CHECK_STR(captured(ident), "livestack-shutdown: bye\n");
}

int main(void)
{
	RUN(log_one_line_per_line_tag_on_the_first);
	RUN(log_long_line_cut_into_records);
	RUN(log_cut_not_inside_a_character);
	RUN(log_quiet_shows_warnings_and_errors);
	RUN(log_ident_names_the_program);
	return HARNESS_END();
}
