"""The syscalls the seccomp filter names, by number on each architecture.

Numbers for x86_64 come from ``arch/x86/entry/syscalls/syscall_64.tbl``, for
aarch64 from ``include/uapi/asm-generic/unistd.h``; numbers from 424 on are the
same on every architecture. :mod:`.seccomp` assembles the filter from
:data:`NR` and :data:`DENY`; the rules for the calls that are allowed with some
arguments and not with others live there.
"""

from __future__ import annotations

# Highest syscall number this table knows (file_setattr, Linux 6.17).
MAX_KNOWN_NR = 469

# Syscall numbers: x86_64 from arch/x86/entry/syscalls/syscall_64.tbl,
# aarch64 from include/uapi/asm-generic/unistd.h. None: no such syscall.
NR: dict[str, tuple[int | None, int | None]] = {
    # name: (x86_64, aarch64)
    "socket": (41, 198),
    "socketpair": (53, 199),
    "connect": (42, 203),
    "sendto": (44, 206),
    "clone": (56, 220),
    "fork": (57, None),
    "vfork": (58, None),
    "clone3": (435, 435),
    "execve": (59, 221),
    "execveat": (322, 281),
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "kill": (62, 129),
    "tkill": (200, 130),
    "tgkill": (234, 131),
    "rt_sigqueueinfo": (129, 138),
    "rt_tgsigqueueinfo": (297, 240),
    "pidfd_send_signal": (424, 424),
    "pidfd_open": (434, 434),
    "pidfd_getfd": (438, 438),
    "process_madvise": (440, 440),
    "kcmp": (312, 272),
    "setsid": (112, 157),
    "setpgid": (109, 154),
    "unshare": (272, 97),
    "setns": (308, 268),
    "personality": (135, 92),
    "setpriority": (141, 140),
    "ioprio_set": (251, 30),
    "sched_setscheduler": (144, 119),
    "sched_setparam": (142, 118),
    "sched_setattr": (314, 274),
    "sched_setaffinity": (203, 122),
    "migrate_pages": (256, 238),
    "move_pages": (279, 239),
    "setrlimit": (160, 164),
    "prlimit64": (302, 261),
    "capset": (126, 91),
    "chmod": (90, None),
    "fchmod": (91, 52),
    "fchmodat": (268, 53),
    "fchmodat2": (452, 452),
    "chown": (92, None),
    "fchown": (93, 55),
    "lchown": (94, None),
    "fchownat": (260, 54),
    "setxattr": (188, 5),
    "lsetxattr": (189, 6),
    "fsetxattr": (190, 7),
    "removexattr": (197, 14),
    "lremovexattr": (198, 15),
    "fremovexattr": (199, 16),
    "setxattrat": (463, 463),
    "removexattrat": (466, 466),
    "file_setattr": (469, 469),
    "utime": (132, None),
    "utimes": (235, None),
    "futimesat": (261, None),
    "utimensat": (280, 88),
    "ioctl": (16, 29),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "chroot": (161, 51),
    "open_tree": (428, 428),
    "move_mount": (429, 429),
    "fsopen": (430, 430),
    "fsconfig": (431, 431),
    "fsmount": (432, 432),
    "fspick": (433, 433),
    "mount_setattr": (442, 442),
    "open_tree_attr": (467, 467),
    "bpf": (321, 280),
    "keyctl": (250, 219),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    "kexec_load": (246, 104),
    "kexec_file_load": (320, 294),
    "init_module": (175, 105),
    "finit_module": (313, 273),
    "delete_module": (176, 106),
    "reboot": (169, 142),
    "swapon": (167, 224),
    "swapoff": (168, 225),
    "acct": (163, 89),
    "sethostname": (170, 161),
    "setdomainname": (171, 162),
    "settimeofday": (164, 170),
    "clock_settime": (227, 112),
    "clock_adjtime": (305, 266),
    "adjtimex": (159, 171),
    "syslog": (103, 116),
    "quotactl": (179, 60),
    "quotactl_fd": (443, 443),
    "name_to_handle_at": (303, 264),
    "open_by_handle_at": (304, 265),
    "fanotify_init": (300, 262),
    "lookup_dcookie": (212, 18),
    "vhangup": (153, 58),
    "uselib": (134, None),
    "iopl": (172, None),
    "ioperm": (173, None),
    "shmget": (29, 194),
    "shmat": (30, 196),
    "shmctl": (31, 195),
    "shmdt": (67, 197),
    "semget": (64, 190),
    "semop": (65, 193),
    "semctl": (66, 191),
    "semtimedop": (220, 192),
    "msgget": (68, 186),
    "msgsnd": (69, 189),
    "msgrcv": (70, 188),
    "msgctl": (71, 187),
    "mq_open": (240, 180),
    "mq_unlink": (241, 181),
    "mq_timedsend": (242, 182),
    "mq_timedreceive": (243, 183),
    "mq_notify": (244, 184),
    "mq_getsetattr": (245, 185),
    "memfd_create": (319, 279),
    "memfd_secret": (447, 447),
    "mkdir": (83, None),
    "mkdirat": (258, 34),
    "umask": (95, 166),
}

# Denied outright with EPERM.
DENY = (
    "fork vfork execve execveat ptrace process_vm_readv process_vm_writev "
    "tkill pidfd_send_signal pidfd_open pidfd_getfd process_madvise kcmp "
    "setsid setpgid unshare setns setpriority ioprio_set sched_setscheduler "
    "sched_setparam sched_setattr migrate_pages move_pages setrlimit capset connect "
    "chmod fchmod fchmodat fchmodat2 chown fchown lchown fchownat setxattr "
    "lsetxattr fsetxattr removexattr lremovexattr fremovexattr setxattrat "
    "removexattrat file_setattr utime utimes futimesat utimensat mount umount2 "
    "pivot_root chroot open_tree move_mount fsopen fsconfig fsmount fspick "
    "mount_setattr open_tree_attr bpf keyctl add_key request_key "
    "perf_event_open userfaultfd io_uring_setup io_uring_enter "
    "io_uring_register kexec_load kexec_file_load init_module finit_module "
    "delete_module reboot swapon swapoff acct sethostname setdomainname "
    "settimeofday clock_settime clock_adjtime adjtimex syslog quotactl "
    "quotactl_fd name_to_handle_at open_by_handle_at fanotify_init "
    "lookup_dcookie vhangup uselib iopl ioperm "
    "shmget shmat shmctl shmdt semget semop semctl semtimedop msgget msgsnd msgrcv "
    "msgctl mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr "
    "memfd_create memfd_secret"
).split()
