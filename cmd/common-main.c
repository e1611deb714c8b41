/*
 * common-main.c - the main() every sp tool shares, as git's common-main.c.
 *
 * It names the program for diagnostics, turns SIGPIPE into EPIPE so that a
 * closed pipe ends a tool quietly with status 0, removes half-written output
 * files when the tool is interrupted, and checks that stdout really reached
 * its destination before reporting success.
 */
#include "output.h"
#include "usage.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "banned.h"

int cmd_main(int argc, char **argv);

int main(int argc, char **argv)
{
	const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
	int status;

	sp_progname_set(slash ? slash + 1 : argc > 0 ? argv[0] : "sp");
	signal(SIGPIPE, SIG_IGN);
	sp_output_install_signal_cleanup();

	status = cmd_main(argc, argv);

	/* Help text and the like go through stdio; make sure they arrived. */
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE) {
			sp_error("write error on standard output: %s", strerror(errno));
			return SP_EXIT_FAIL;
		}
	}
	return status;
}
