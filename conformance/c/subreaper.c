/* PR_SET_CHILD_SUBREAPER and PR_SET_PDEATHSIG: an orphan is reparented to
 * the nearest subreaper (which can wait for it) and receives its
 * parent-death signal. */
#include "check.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static volatile sig_atomic_t got;
static void h(int s) { (void)s; got = 1; }

int main(void)
{
    BEGIN("subreaper");
    CHECK("set_subreaper", prctl(PR_SET_CHILD_SUBREAPER, 1));
    int v = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &v);
    SHOW("subreaper_value", "%d", v);
    int p[2];
    pipe(p);
    pid_t a = fork();
    if (a == 0) {
        pid_t b = fork();
        if (b == 0) {
            signal(SIGUSR1, h);
            prctl(PR_SET_PDEATHSIG, SIGUSR1);
            int d = -1;
            prctl(PR_GET_PDEATHSIG, &d);
            write(p[1], "r", 1);
            while (!got)
                pause();
            /* Reparented to the subreaper by now. */
            _exit(d == SIGUSR1 && getppid() != a ? 42 : 1);
        }
        char c;
        read(p[0], &c, 1);
        _exit(0);
    }
    int st;
    waitpid(a, &st, 0);
    SHOW("middle_exited", "%d", WEXITSTATUS(st));
    pid_t r = wait(&st);
    BOOL("orphan_waited_by_subreaper", r > 0);
    SHOW("orphan_status", "%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    printf("== done ==\n");
    return 0;
}
