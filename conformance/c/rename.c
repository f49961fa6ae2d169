#include "check.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#endif

static void content(const char *name, const char *path)
{
    char buf[32] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        SHOW(name, "-1 %s", errname(errno));
        return;
    }
    read(fd, buf, sizeof buf - 1);
    close(fd);
    SHOW(name, "%s", buf);
}

int main(void)
{
    BEGIN("rename");
    make_tmpdir("rename");
    struct stat st;
    write_file("a", "AAA");
    write_file("b", "BBB");
    CHECK("rename_simple", rename("a", "c"));
    CHECK("old_gone", stat("a", &st));
    content("new_content", "c");
    CHECK("rename_over_existing", rename("c", "b"));
    content("replaced_content", "b");
    CHECK("rename_missing", rename("nothing", "x"));
    CHECK("rename_same", rename("b", "b"));
    content("same_still_there", "b");

    mkdir("d1", 0755);
    mkdir("d2", 0755);
    mkdir("full", 0755);
    write_file("full/x", "x");
    CHECK("dir_onto_empty_dir", rename("d1", "d2"));
    CHECK("d1_gone", stat("d1", &st));
    CHECK("dir_onto_nonempty_dir", rename("d2", "full"));
    CHECK("file_onto_dir", rename("b", "full"));
    CHECK("dir_onto_file", rename("d2", "b"));
    CHECK("dir_into_itself", rename("full", "full/sub"));
    CHECK("rename_dot", rename(".", "x"));
    CHECK("rename_to_missing_parent", rename("b", "nodir/b"));
    CHECK("rename_through_file", rename("b/x", "y"));
    CHECK("rename_efault", rename(BADPTR, "y"));
    CHECK("move_into_dir", rename("b", "full/b"));
    content("moved_content", "full/b");
    CHECK("move_dir_with_contents", rename("full", "full2"));
    content("moved_dir_content", "full2/x");

    /* symlinks are renamed, not followed */
    symlink("full2/x", "l");
    CHECK("rename_symlink", rename("l", "l2"));
    char buf[32];
    ssize_t n = readlink("l2", buf, sizeof buf);
    SHOW("symlink_target", "%.*s", (int)(n > 0 ? n : 0), buf);

    /* renameat */
    int d = open("full2", O_RDONLY | O_DIRECTORY);
    CHECK("renameat", renameat(d, "x", AT_FDCWD, "top"));
    content("renameat_content", "top");
    CHECK("renameat_bad_dirfd", renameat(-1, "top", d, "x"));
    /* renameat2 */
    write_file("p", "P");
    write_file("q", "Q");
    CHECK("noreplace_existing", renameat2(AT_FDCWD, "p", AT_FDCWD, "q", RENAME_NOREPLACE));
    CHECK("noreplace_new", renameat2(AT_FDCWD, "p", AT_FDCWD, "p2", RENAME_NOREPLACE));
    CHECK("exchange", renameat2(AT_FDCWD, "p2", AT_FDCWD, "q", RENAME_EXCHANGE));
    content("exchange_p2", "p2");
    content("exchange_q", "q");
    CHECK("exchange_missing", renameat2(AT_FDCWD, "p2", AT_FDCWD, "zz", RENAME_EXCHANGE));
    CHECK("both_flags", renameat2(AT_FDCWD, "p2", AT_FDCWD, "q",
                                  RENAME_EXCHANGE | RENAME_NOREPLACE));
    CHECK("bad_flags", renameat2(AT_FDCWD, "p2", AT_FDCWD, "q", 0x100));
    close(d);
    /* open fd follows the renamed file */
    int fd = open("q", O_RDONLY);
    rename("q", "q3");
    fstat(fd, &st);
    SHOW("fd_after_rename_size", "%ld", (long)st.st_size);
    close(fd);
    FINISH();
}
