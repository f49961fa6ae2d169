#include "check.h"
#include <sys/mman.h>

int main(void)
{
    BEGIN("memfd");
    int fd = memfd_create("conf-memfd", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    CHECK("create", fd);
    CHECKV("cloexec", fcntl(fd, F_GETFD));
    struct stat st;
    fstat(fd, &st);
    SHOW("type_size", "%s size=%ld", ftype(st.st_mode), (long)st.st_size);
    CHECKV("write", write(fd, "memfd data", 10));
    char buf[32] = {0};
    CHECKV("pread", pread(fd, buf, sizeof buf, 0));
    SHOW("content", "%s", buf);
    char link[64] = {0};
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    SHOW("proc_link", "%.*s", (int)(n > 0 ? n : 0), link);
    CHECK("ftruncate", ftruncate(fd, 4096));
    char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECKP("mmap_shared", m);
    memcpy(m, "MAPPED", 6);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 10, 0);
    SHOW("after_map_write", "%s", buf);
    munmap(m, 4096);
    CHECKV("get_seals", fcntl(fd, F_GET_SEALS));
    CHECK("add_seal_shrink_grow", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
    CHECKV("get_seals_after", fcntl(fd, F_GET_SEALS));
    CHECK("shrink_sealed", ftruncate(fd, 10));
    CHECK("grow_sealed", ftruncate(fd, 8192));
    CHECKV("write_within_ok", pwrite(fd, "x", 1, 100));
    CHECKV("write_beyond_sealed", pwrite(fd, "x", 1, 5000));
    CHECK("add_seal_write", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    CHECKV("write_write_sealed", pwrite(fd, "x", 1, 0));
    CHECK("add_seal_seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
    CHECK("add_after_seal_seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
    CHECKP("mmap_shared_write_sealed", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    close(fd);
    int nofd = memfd_create("nosealing", 0);
    CHECKV("seals_without_allow", fcntl(nofd, F_GET_SEALS));
    CHECK("add_seal_without_allow", fcntl(nofd, F_ADD_SEALS, F_SEAL_WRITE));
    close(nofd);
    CHECK("bad_flags", memfd_create("x", 0x1000));
    char longname[300];
    memset(longname, 'n', 299);
    longname[299] = 0;
    CHECK("name_too_long", memfd_create(longname, 0));
    CHECK("name_efault", syscall(SYS_memfd_create, BADPTR, 0));
    CHECK("seals_on_regular_file", fcntl(0, F_GET_SEALS));
    FINISH();
}
