#!/bin/sh
# bench-report.sh SAMPLES META - the Markdown report of one bench run
# (scripts/bench.sh): medians and peaks from the samples, every ratio
# from the same run, and issue 15's targets checked against them.
#   SAMPLES: "op tool size rep wall_s rss_kib cpu_s", one timed command a line
#   META:    "key value...", the run's scalars and the machine
set -eu
awk '
FNR == NR { k = $1; $1 = ""; M[k] = substr($0, 2); next }
{ k = $1 SUBSEP $2 SUBSEP $3; W[k, $4] = $5; P[k, $4] = $6; C[k, $4] = $7; if ($4 > NREP[k]) NREP[k] = $4 }

# wall seconds of one run: "bv" is net of its fixed cost (KDF + checks),
# "agesync" is age followed by the fsync of its output
function one(op, t, mb, i) {
    if (t == "bv" && (op == "seal" || op == "open" || op == "rekey")) return max(W[op, "bv", mb, i] - FIXED, 0.001)
    if (t == "bvraw") return W[op, "bv", mb, i]
    if (t == "agesync") return W[op, "age", mb, i] + W[op, "fsync", mb, i]
    return W[op, t, mb, i]
}
function reps(op, t, mb) { return NREP[op SUBSEP (t == "agesync" ? "age" : t == "bvraw" ? "bv" : t) SUBSEP mb] + 0 }
function med(op, t, mb,    n, i, j, x, v) {
    n = reps(op, t, mb)
    if (n == 0) return -1
    for (i = 1; i <= n; i++) { # insertion sort: at most a few values
        x = one(op, t, mb, i)
        for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
        v[j + 1] = x
    }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function cpu(op, t, mb,    n, i, j, x, v) {
    n = reps(op, t, mb)
    for (i = 1; i <= n; i++) {
        x = C[op, t, mb, i]
        for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
        v[j + 1] = x
    }
    return n ? v[int((n + 1) / 2)] : -1
}
function peak(op, t, mb,    n, i, m) { # KiB, the largest of the runs
    n = reps(op, t, mb); m = -1
    for (i = 1; i <= n; i++) if (P[op, t, mb, i] > m) m = P[op, t, mb, i]
    return m
}
function max(a, b) { return a > b ? a : b }
# the spread of the fixed cost over its runs: a net time below it is noise
function spread(    i, lo, hi, x) {
    lo = 1e9; hi = 0
    for (i = 1; i <= reps("fixed", "bv", 0); i++) { x = W["fixed", "bv", 0, i]; lo = x < lo ? x : lo; hi = x > hi ? x : hi }
    return hi - lo
}
function flag(op, mb) { if (med(op, "bv", mb) >= NOISE) return ""; FLAGGED = 1; return " †" }
function footnote() {
    if (FLAGGED) printf "\n† boardvault'"'"'s time net of its fixed cost is below the spread of that cost over its runs (%.3f s): noise, and so are the ratios drawn from it.\n", NOISE
    FLAGGED = 0
}
function s3(x) { return x < 0 ? "-" : sprintf("%.3f", x) }
function x2(a, b) { return (a < 0 || b <= 0) ? "-" : sprintf("%.2f", a / b) }
function mib(k) { return k < 0 ? "-" : sprintf("%.0f", k / 1024) }
function rate(mb, s) { return s <= 0 ? "-" : sprintf("%.0f", mb / s) }
function word(s, i,    a) { split(s, a, " "); return a[i] }
function has(mb) { return reps("seal", "bv", mb) > 0 }
# seconds that cryptography alone needs for mb MiB on 2 threads (format 3)
function crypto2(mb) { return word(M["crypto." mb], 2) > 0 ? mb / word(M["crypto." mb], 2) : -1 }
# the most a ratio ref/bv can be when bv cannot beat the floor or the ceiling
function bound(op, mb, ref,    f) { f = max(med(op, "floor", mb), crypto2(mb)); return ref / f }

# one row of the Targets table: what, size, measured, wanted (>= or <=), bound text
function target(what, mb, got, want, le, why) {
    if (!has(mb) || got < 0) { printf "| %s | %s MiB | - | not measured (size not in BENCH_SIZES) | |\n", what, mb; return }
    ok = le ? got <= want : got >= want
    printf "| %s | %s MiB | %.2f | %s | %s |\n", what, mb, got, ok ? "met" : "**not met**", why
}
function ratio_target(what, op, mb, ref_tool, want,    got, b, f) {
    if (!has(mb)) return target(what, mb, -1, want, 0, "")
    got = med(op, ref_tool, mb) / med(op, "bv", mb)
    b = bound(op, mb, med(op, ref_tool, mb))
    f = sprintf("write-once floor %.3f s, crypto alone (2 threads) %.3f s; at the slower of them: %.2f%s", \
        med(op, "floor", mb), crypto2(mb), b, b < want ? ", so the target is out of reach here" : "")
    target(what, mb, got, want, 0, f)
}

END {
    FIXED = med("fixed", "bv", 0); NOISE = spread()
    ns = split(M["sizes"], S, " ")
    split(M["libs"], L, "|")
    printf "# boardvault benchmarks\n\n"
    printf "Written by `make bench` (scripts/bench.sh, scripts/bench-report.sh) on %s at commit %s%s; ", M["date"], M["commit"], ("dirty" in M) ? ", with uncommitted changes" : ""
    printf "the run took %.0f min. Every run overwrites this file. Absolute times move from run to run on a shared VM; ", M["duration"] / 60
    printf "the ratios compare tools run interleaved in the same run, and are what to read.\n\n"

    printf "## Machine\n\n| | |\n|---|---|\n"
    printf "| CPU | %s, %s cores; flags:%s |\n", M["cpu"], M["cores"], M["flags"]
    printf "| memory | %s |\n| kernel | %s |\n", M["ram"], M["kernel"]
    printf "| filesystem of `$TMPDIR` (%s), where every vault and file of the run lives | %s |\n", M["tmpdir"], M["fs"]
    printf "| libraries, as loaded | libsodium %s, SQLite %s, %s |\n", L[1], L[2], L[3]
    printf "| compared with | age %s; %s |\n", M["age"], M["gpg"]
    printf "| load average (1, 5, 15 min) | before the bodies %s; after them %s; at the end %s |\n\n", M["load.bodies"], M["load.after-bodies"], M["load.end"]

    printf "## How it is measured\n\n"
    sz = M["sizes"]; gsub(/ +$/, "", sz); gsub(/ +/, ", ", sz)
    printf "- Bodies of random bytes of %s MiB. Each command %s times, the median shown; each round seals with every tool, then opens with every tool, then rekeys with boardvault, and the tools take turns going first (boardvault, age, gpg, the floor, rotated by one each round).\n", sz, M["reps"]
    printf "- `sync` before every timed command, so that no tool pays for another'"'"'s writeback. Seals read the plaintext from the page cache, every tool alike. Before every open and rekey, every tool'"'"'s encrypted file is dropped from the page cache (`bvbench drop`: posix_fadvise, no root needed), so that each reads it from the disk, as an open days after the seal would, in the way it chooses (age and gpg through the page cache, boardvault straight from the disk: store/files.c). Memory is touched once before the bodies (%s), since in a VM a page'"'"'s first touch costs several times its reuse and whichever tool came first would pay it.\n", ("warm" in M) ? M["warm"] " GiB, all but 2 GiB of what was available" : "as much page cache as the run needs"
    printf "- The machine is shared: before anything is timed the run waits up to %s s for the 1-minute load average to fall below 0.5, and the load averages under Machine show what it was.\n", M["idle_wait"]
    printf "- Wall time from the clock in ns around each command; peak RSS (GNU time %%M) and CPU (user + system) of the process.\n"
    printf "- boardvault'"'"'s throughput vault has its KDF at the floor (19 MiB, t=2, 1 lane). Its fixed cost per command (KDF and checks: the open of an empty item, median of %d runs, 5 before the bodies and one in every round) is **%.3f s, subtracted from every boardvault time** below (the raw time is shown beside it), as before; age'"'"'s fixed cost is %.3f s and gpg'"'"'s %.3f s, not subtracted. The default KDF is measured on its own (Unlock).\n", reps("fixed", "bv", 0), FIXED, med("fixed", "age", 0), med("fixed", "gpg", 0)
    printf "- age %s does not sync its output; boardvault does (seal commits durably, open fsyncs its output before renaming it). **age + fsync** is age followed at once by coreutils `sync FILE` (an fsync(2) of its output), the two times added.\n", M["age"]
    printf "- gpg: `gpg --symmetric %s`, batch, passphrase from a file descriptor through the loopback pinentry. Its S2K is set cheap (65,536 iterations, not the ~100 ms default) so its KDF is not what is compared. gpg does not sync its output either.\n", M["gpgopts"]
    printf "- **floor**: the same bytes written once and made durable as a careful writer must (written to a temporary file, fsync, rename, fsync of the directory: `bvbench floor`), timed in turn with the tools; read and written the way boardvault does (write-behind: bv_behind.h; in the open round the encrypted file read straight from the disk), so that no seal or open of a body can take less.\n"
    printf "- **crypto alone**: format 3'"'"'s work in memory (`bvbench crypto`): OpenSSL EVP ChaCha20-Poly1305 of each 1 MiB chunk and SHA-256 of its ciphertext, on 1 and 2 threads; and format 2'"'"'s, libsodium secretstream and BLAKE2b-256 (sequential by design). Repeated until a quarter second has passed.\n"
    printf "- Ratios are the other tool'"'"'s time over boardvault'"'"'s: above 1, boardvault is faster.\n\n"

    for (o = 1; o <= 2; o++) {
        op = o == 1 ? "seal" : "open"
        printf "## %s\n\n", op == "seal" ? "Seal" : "Open"
        printf "| size | boardvault s | (raw s) | age s | age + fsync s | gpg s | floor s | × age | × (age + fsync) | × gpg | boardvault MiB/s | boardvault CPU s |\n"
        printf "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for (i = 1; i <= ns; i++) {
            mb = S[i]; b = med(op, "bv", mb)
            printf "| %s MiB | %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mb, s3(b), flag(op, mb), s3(med(op, "bvraw", mb)), s3(med(op, "age", mb)), \
                s3(med(op, "agesync", mb)), s3(med(op, "gpg", mb)), s3(med(op, "floor", mb)), x2(med(op, "age", mb), b), \
                x2(med(op, "agesync", mb), b), x2(med(op, "gpg", mb), b), rate(mb, b), cpu(op, "bv", mb)
        }
        footnote()
        printf "\n"
    }
    printf "## Rekey\n\nA rekey reads, decrypts, encrypts and writes the body again: about an open and a seal.\n\n"
    printf "| size | rekey s | seal s | rekey × seal (seal s / rekey s) | rekey MiB/s | CPU s |\n|---:|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= ns; i++) {
        mb = S[i]; b = med("rekey", "bv", mb)
        printf "| %s MiB | %s%s | %s%s | %s | %s | %s |\n", mb, s3(b), flag("rekey", mb), s3(med("seal", "bv", mb)), flag("seal", mb), \
            x2(med("seal", "bv", mb), b), rate(mb, b), cpu("rekey", "bv", mb)
    }
    footnote()

    printf "\n## Peak RSS (MiB, the largest of the runs)\n\n"
    printf "| size | boardvault seal | open | rekey | age seal | age open | gpg seal | gpg open | floor |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= ns; i++) {
        mb = S[i]
        printf "| %s MiB | %s | %s | %s | %s | %s | %s | %s | %s |\n", mb, mib(peak("seal", "bv", mb)), mib(peak("open", "bv", mb)), \
            mib(peak("rekey", "bv", mb)), mib(peak("seal", "age", mb)), mib(peak("open", "age", mb)), mib(peak("seal", "gpg", mb)), \
            mib(peak("open", "gpg", mb)), mib(peak("seal", "floor", mb))
    }
    lo = S[1]; hi = S[ns]
    if (ns > 1)
        printf "\nboardvault peak RSS at %s MiB over that at %s MiB: seal %s, open %s, rekey %s.\n", hi, lo, \
            x2(peak("seal", "bv", hi), peak("seal", "bv", lo)), x2(peak("open", "bv", hi), peak("open", "bv", lo)), x2(peak("rekey", "bv", hi), peak("rekey", "bv", lo))

    printf "\n## Floor and ceiling\n\n"
    printf "| size | floor s (seal round) | floor s (open round) | floor MiB/s | OpenSSL ChaCha20-Poly1305 + SHA-256, 1 thread MiB/s | 2 threads MiB/s | libsodium secretstream + BLAKE2b-256, 1 thread MiB/s | crypto alone, 2 threads, s |\n"
    printf "|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= ns; i++) {
        mb = S[i]; c = M["crypto." mb]
        printf "| %s MiB | %s | %s | %s | %s | %s | %s | %s |\n", mb, s3(med("seal", "floor", mb)), s3(med("open", "floor", mb)), \
            rate(mb, med("seal", "floor", mb)), word(c, 1), word(c, 2), word(c, 3), s3(crypto2(mb))
    }
    printf "\nAt 1 MiB there is one chunk: a second thread has nothing to do.\n"

    printf "\n## Unlock\n\nOne command that must derive the key with the default Argon2id parameters (%s MiB, t=%s, %s lanes): a board created, median of %s: **%.2f s**, peak RSS %s MiB.\n", \
        L[4] / 1024, L[5], L[6], M["unlocks"], med("unlock", "bv", 0), mib(peak("unlock", "bv", 0))

    printf "\n## Key rotation\n\nAn officer removed from a board of N items (every item key re-wrapped under the new board key), one run each.\n\n"
    for (k in M) if (k ~ /^rotate\./) { n = substr(k, 8); RN[++nr] = n + 0 }
    printf nr ? "| items | seconds | item keys re-wrapped |\n|---:|---:|---:|\n" : "Not measured in this run.\n"
    for (i = 1; i <= nr; i++) for (j = i; j > 1 && RN[j - 1] > RN[j]; j--) { t = RN[j]; RN[j] = RN[j - 1]; RN[j - 1] = t }
    for (i = 1; i <= nr; i++) printf "| %d | %.3f | %s |\n", RN[i], word(M["rotate." RN[i]], 1), word(M["rotate." RN[i]], 2)

    printf "\n## Audit log\n\n"
    if ("audit.ceiling" in M) {
        printf "Durable append, one entry per transaction, on an empty log: %s ms. Eight writers at once, 100 entries each: %s entries/s. ", M["audit.append.0"], M["audit.concurrent"]
        printf "Ceiling of verify (Ed25519 verify + SHA-256 of an entry-sized leaf on every core): %s entries/s.\n\n", M["audit.ceiling"]
        printf "| entries | verify s | entries/s | of the ceiling | append ms | log --item ms | log --member --outcome denied ms | summary ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for (k in M) if (k ~ /^audit\.[0-9]+$/ && k != "audit.0") AN[++na] = substr(k, 7) + 0
        for (i = 1; i <= na; i++) for (j = i; j > 1 && AN[j - 1] > AN[j]; j--) { t = AN[j]; AN[j] = AN[j - 1]; AN[j - 1] = t }
        for (i = 1; i <= na; i++) {
            split(M["audit." AN[i]], a, " "); v = med("verify", "bv", AN[i])
            printf "| %d | %.1f | %.0f | %.0f%% | %s | %s | %s | %s |\n", a[1], v, a[1] / v, 100 * a[1] / v / M["audit.ceiling"], a[2], a[3], a[4], a[5]
        }
        printf "\nEach log is a vault of its own with 1,000 items, built through the real append path (10,000 entries a transaction) under eatmydata: building is setup, not a figure.\n"
    } else printf "Not measured in this run.\n"

    printf "\n## Growth\n\nHow each figure grows from one measured size to the next (time × over size ×; linear growth makes them equal). "
    if (M["growth"] == 1) printf "This run had BENCH_GROWTH=1: 10 MiB bodies, 100,000 items and 10,000,000 entries added.\n\n"
    else printf "By default the run has bodies at 1, 100 and 1024 MiB, rotation at 1,000 and 10,000 items and logs of about 100,000 and 1,000,000 entries; `BENCH_GROWTH=1` adds 10 MiB bodies, 100,000 items and 10,000,000 entries (an hour or more here, so not by default).\n\n"
    if (ns < 2 && nr < 2 && na < 2) printf "Only one size of each was measured in this run.\n"
    else printf "| figure | from | to | size × | time × |\n|---|---:|---:|---:|---:|\n"
    for (i = 2; i <= ns; i++) {
        split("seal open rekey", ops, " ")
        for (o = 1; o <= 3; o++)
            printf "| boardvault %s | %s MiB%s | %s MiB%s | %.0f | %s |\n", ops[o], S[i - 1], flag(ops[o], S[i - 1]), S[i], flag(ops[o], S[i]), \
                S[i] / S[i - 1], x2(med(ops[o], "bv", S[i]), med(ops[o], "bv", S[i - 1]))
        printf "| boardvault seal peak RSS | %s MiB | %s MiB | %.0f | %s |\n", S[i - 1], S[i], S[i] / S[i - 1], x2(peak("seal", "bv", S[i]), peak("seal", "bv", S[i - 1]))
    }
    for (i = 2; i <= nr; i++)
        printf "| key rotation | %d items | %d items | %.0f | %s |\n", RN[i - 1], RN[i], RN[i] / RN[i - 1], x2(word(M["rotate." RN[i]], 1), word(M["rotate." RN[i - 1]], 1))
    for (i = 2; i <= na; i++) {
        a0 = word(M["audit." AN[i - 1]], 1); a1 = word(M["audit." AN[i]], 1)
        printf "| audit verify | %d entries | %d entries | %.1f | %s |\n", a0, a1, a1 / a0, x2(med("verify", "bv", AN[i]), med("verify", "bv", AN[i - 1]))
        printf "| audit append | %d entries | %d entries | %.1f | %s |\n", a0, a1, a1 / a0, x2(word(M["audit." AN[i]], 2), word(M["audit." AN[i - 1]], 2))
    }
    footnote()
    printf "\nUnlock does not grow: its cost is the KDF'"'"'s, fixed by its parameters.\n"

    printf "\n## Targets (issue 15)\n\n"
    printf "Ratios as above (above 1, boardvault is faster). Beside each, what bounds it in the same run: a boardvault as fast as the slower of the write-once floor and the crypto alone (perfectly overlapped, so at best) would reach the ratio shown; where that is below the target, the floor or the ceiling stops it.\n\n"
    printf "| target | size | measured | result | what bounds it |\n|---|---:|---:|---|---|\n"
    ratio_target("seal ≥ 1.3 × (age + fsync)", "seal", 1024, "agesync", 1.3)
    ratio_target("seal ≥ 0.75 × age", "seal", 1024, "age", 0.75)
    ratio_target("seal ≥ 1.1 × (age + fsync)", "seal", 100, "agesync", 1.1)
    for (i = 0; i < 2; i++) {
        mb = i ? 1024 : 100
        ratio_target("open ≥ 0.9 × age", "open", mb, "age", 0.9)
        ratio_target("open ≥ 1.3 × (age + fsync)", "open", mb, "agesync", 1.3)
    }
    for (i = 0; i < 2; i++) {
        mb = i ? 1024 : 100
        if (!has(mb)) { target("rekey ≥ 0.5 × seal", mb, -1, 0.5, 0, ""); continue }
        b = med("seal", "bv", mb) / max(med("seal", "floor", mb), 2 * crypto2(mb))
        target("rekey ≥ 0.5 × seal (seal s / rekey s)", mb, med("seal", "bv", mb) / med("rekey", "bv", mb), 0.5, 0, \
            sprintf("a rekey writes once (floor %.3f s) and runs the crypto twice (%.3f s); at the slower of them: %.2f%s", \
                med("seal", "floor", mb), 2 * crypto2(mb), b, b < 0.5 ? ", so the target is out of reach here" : ""))
    }
    split("seal open rekey", ops, " ")
    for (o = 1; o <= 3; o++) {
        t = "peak RSS of " ops[o] " at 1 GiB ≤ 1.2 × at 1 MiB"
        if (has(1024) && has(1))
            target(t, 1024, peak(ops[o], "bv", 1024) / peak(ops[o], "bv", 1), 1.2, 1, \
                sprintf("%s MiB against %s MiB", mib(peak(ops[o], "bv", 1024)), mib(peak(ops[o], "bv", 1))))
        else target(t, 1024, -1, 1.2, 1, "")
    }
}' "$2" "$1"
