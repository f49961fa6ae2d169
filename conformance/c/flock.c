/* flock(2): shared and exclusive locks between descriptions, conversion,
 * LOCK_NB, release on close, and a lock held across fork. */
#include "check.h"
#include <sys/file.h>
#include <sys/wait.h>

int main(void)
{
    BEGIN("flock");
    make_tmpdir("flock");
    int a = open("f", O_CREAT | O_RDWR, 0644);
    int b = open("f", O_RDWR);
    CHECK("sh_a", flock(a, LOCK_SH));
    CHECK("sh_b", flock(b, LOCK_SH | LOCK_NB));
    CHECK("ex_b_blocked", flock(b, LOCK_EX | LOCK_NB));
    CHECK("un_a", flock(a, LOCK_UN));
    CHECK("ex_b_now", flock(b, LOCK_EX | LOCK_NB));
    CHECK("sh_a_blocked", flock(a, LOCK_SH | LOCK_NB));
    int c = dup(b);
    CHECK("dup_shares_lock", flock(c, LOCK_EX | LOCK_NB));
    close(b);
    CHECK("still_held_via_dup", flock(a, LOCK_EX | LOCK_NB));
    close(c);
    CHECK("released_on_last_close", flock(a, LOCK_EX | LOCK_NB));
    pid_t p = fork();
    if (p == 0) {
        int d = open("f", O_RDWR);
        _exit(flock(d, LOCK_EX | LOCK_NB) == 0 ? 0 : errno == EWOULDBLOCK ? 11 : 1);
    }
    int st;
    waitpid(p, &st, 0);
    SHOW("child_blocked_code", "%d", WEXITSTATUS(st));
    CHECK("bad_op", flock(a, 77));
    CHECK("bad_fd", flock(-1, LOCK_SH));
    FINISH();
}
