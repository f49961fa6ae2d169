#include "check.h"

int main(void)
{
    BEGIN("path_errors");
    make_tmpdir("path_errors");
    write_file("f", "data");
    mkdir("d", 0755);
    char buf[16];
    struct stat st;
    char name[512];
    memset(name, 'x', 256);
    name[256] = 0;
    CHECK("component_256_open", open(name, O_RDONLY));
    CHECK("component_256_creat", open(name, O_CREAT | O_WRONLY, 0644));
    CHECK("component_256_stat", stat(name, &st));
    CHECK("component_256_mkdir", mkdir(name, 0755));
    name[255] = 0;
    CHECK("component_255_creat", open(name, O_CREAT | O_WRONLY, 0644) >= 0 ? 0 : -1);
    CHECK("component_255_stat", stat(name, &st));
    CHECK("component_255_unlink", unlink(name));
    /* whole path longer than PATH_MAX */
    static char longp[PATH_MAX + 100];
    size_t off = 0;
    while (off < PATH_MAX + 10) {
        memcpy(longp + off, "aaaaaaaaa/", 10);
        off += 10;
    }
    longp[off] = 0;
    CHECK("path_over_path_max", stat(longp, &st));
    CHECK("path_over_path_max_open", open(longp, O_RDONLY));
    /* many ./ components just below PATH_MAX resolve fine */
    off = 0;
    while (off < PATH_MAX - 10) {
        memcpy(longp + off, "./", 2);
        off += 2;
    }
    strcpy(longp + off, "f");
    CHECK("long_dot_path_ok", stat(longp, &st));
    CHECK("odirectory_on_file", open("f", O_RDONLY | O_DIRECTORY));
    CHECK("dir_wronly", open("d", O_WRONLY));
    CHECK("dir_rdwr_creat", open("d", O_RDWR | O_CREAT, 0644));
    int fd = open("f", O_RDONLY);
    CHECK("write_rdonly", write(fd, "x", 1));
    close(fd);
    fd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK("read_dir", read(fd, buf, sizeof buf));
    CHECK("pread_dir", pread(fd, buf, sizeof buf, 0));
    CHECK("write_dir_fd", write(fd, "x", 1));
    close(fd);
    CHECK("file_as_dir_component", stat("f/", &st));
    CHECK("file_as_dir_middle", stat("f/x/y", &st));
    CHECK("missing_middle", stat("nope/x", &st));
    CHECK("empty_path", stat("", &st));
    CHECK("dot_ok", stat(".", &st));
    CHECK("dotdot_of_root", stat("/..", &st));
    BOOL("root_dotdot_is_root", st.st_ino == (stat("/", &st), st.st_ino));
    CHECK("multiple_slashes", stat("////tmp//", &st));
    CHECK("dot_component_on_file", stat("f/.", &st));
    CHECK("dotdot_component_on_file", stat("f/..", &st));
    CHECK("trailing_slash_creat", open("newf/", O_CREAT | O_WRONLY, 0644));
    CHECK("trailing_slash_missing_dir", stat("nothing/", &st));
    CHECK("open_nul_name_empty", open("\0", O_RDONLY));
    FINISH();
}
