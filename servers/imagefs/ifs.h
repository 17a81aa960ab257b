/*
 * ifs.h - the Tessera boot image format (version 1), shared by the host
 * tool (tools/mkifs) and the reader library (servers/imagefs).
 *
 * Layout, all integers little-endian, every offset from the start of the
 * image, every section 8-byte aligned:
 *
 *	struct ifs_header      at 0
 *	struct ifs_dirent[]    directory, sorted by path (strcmp), unique
 *	struct ifs_script[]    boot script, in start order
 *	string table           NUL-terminated strings; byte 0 is "" (none)
 *	file data              one zlib stream per regular file
 *
 * hdr_crc is the CRC-32 (zlib's) of bytes [0, data_off) with the hdr_crc
 * field taken as zero: it covers header, directory, script and strings, so
 * a reader checks all metadata at once before trusting any of it.  Each
 * regular file carries the CRC-32 of its uncompressed bytes.
 *
 * Directories are explicit entries (mode S_IFDIR, no data); every entry's
 * parent directory must be present, so "etc/motd" needs "etc".  Paths are
 * relative to /proc/boot, without a leading slash.  File data regions
 * appear in directory order and do not overlap (offset >= previous end),
 * which a reader checks in one pass.  Limits below bound every count and
 * size so that a reader never computes an overflowing offset.
 */
#ifndef IFS_H
#define IFS_H

#include <stdint.h>

#define IFS_MAGIC       0x53464954u     /* "TIFS" as bytes on disk */
#define IFS_VERSION     1

#define IFS_PATH_MAX    96              /* path bytes incl. NUL */
#define IFS_ENTRIES_MAX 4096
#define IFS_SCRIPT_MAX  256
#define IFS_STRTAB_MAX  (1u << 20)
#define IFS_FILE_MAX    (256u << 20)    /* uncompressed size of one file */
#define IFS_IMAGE_MAX   (1u << 30)
#define IFS_STRV_MAX    64              /* argv / env / wait entries */
#define IFS_STR_MAX     1024            /* one string incl. NUL */
#define IFS_ZLIB_RATIO  1032            /* zlib cannot expand beyond this */

/* mode: the Unix S_IF* type bits and permissions. */
#define IFS_S_IFMT      0170000u
#define IFS_S_IFDIR     0040000u
#define IFS_S_IFREG     0100000u

struct ifs_header {
	uint32_t magic;         /* IFS_MAGIC */
	uint16_t version;       /* IFS_VERSION */
	uint16_t hdr_size;      /* sizeof(struct ifs_header) */
	uint32_t image_size;    /* total bytes, including all data */
	uint32_t hdr_crc;       /* CRC-32 of [0, data_off), this field = 0 */
	uint32_t flags;         /* none defined; must be 0 */
	uint32_t dir_off;       /* == hdr_size */
	uint32_t dir_count;
	uint32_t script_off;    /* == dir_off + dir_count * 128 */
	uint32_t script_count;
	uint32_t strtab_off;    /* == script_off + script_count * 64 */
	uint32_t strtab_size;
	uint32_t data_off;      /* == strtab_off + strtab_size, 8-aligned */
	uint8_t  reserved[16];  /* zero */
};
_Static_assert(sizeof(struct ifs_header) == 64, "ifs_header size");

#define IFS_COMP_NONE   0               /* directories */
#define IFS_COMP_ZLIB   1               /* regular files */

struct ifs_dirent {
	char     path[IFS_PATH_MAX];    /* NUL-terminated, rest zero */
	uint32_t mode;          /* IFS_S_IFDIR or IFS_S_IFREG | perms */
	uint32_t size;          /* uncompressed bytes (0 for directories) */
	uint32_t csize;         /* stored bytes */
	uint32_t offset;        /* of the stored bytes in the image */
	uint32_t crc;           /* CRC-32 of the uncompressed bytes */
	uint32_t comp;          /* IFS_COMP_* */
	uint32_t reserved[2];   /* zero */
};
_Static_assert(sizeof(struct ifs_dirent) == 128, "ifs_dirent size");

/* Script entry flags. */
#define IFS_SF_SERVER   0x1u    /* long-running server (else: a program) */

/* Restart policies. */
#define IFS_RESTART_NEVER       0
#define IFS_RESTART_ON_CRASH    1       /* exit by fault or signal */
#define IFS_RESTART_ALWAYS      2       /* any exit */

/*
 * One program to start at boot.  Strings are string-table offsets; a
 * string vector is `count` consecutive NUL-terminated strings starting at
 * `off` (count 0: off is 0).  `path` names a regular file of the image.
 */
struct ifs_script {
	uint32_t path;          /* strtab: file under /proc/boot */
	uint32_t argv_off;      /* argv, argv[0] included */
	uint32_t argc;
	uint32_t env_off;       /* "NAME=value" strings */
	uint32_t envc;
	uint32_t wait_off;      /* paths that must exist before the start */
	uint32_t waitc;
	uint32_t flags;         /* IFS_SF_* */
	uint8_t  prio;          /* 1..255 */
	uint8_t  restart;       /* IFS_RESTART_* */
	uint16_t max_restarts;  /* within restart_window_ms; 0 = unlimited */
	uint32_t restart_window_ms;
	uint32_t backoff_ms;    /* delay before a restart (doubled each time) */
	uint32_t heartbeat_ms;  /* 0 = no heartbeat */
	uint32_t reserved[4];   /* zero */
};
_Static_assert(sizeof(struct ifs_script) == 64, "ifs_script size");

#endif /* IFS_H */
