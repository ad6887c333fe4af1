// SPDX-License-Identifier: ISC
// fuzz-sources: discipline/driftfile.c
/*
 * libFuzzer target for the drift file (discipline/driftfile.c drift_read): the daemon's user
 * may write it, the parent reads it as root. The input is the file's content. Invariants: a
 * value is returned only as DRIFT_OK, finite and within +-DRIFT_MAX_PPM; every other outcome
 * explains itself in err.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discipline/driftfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256] = "";
    double ppm = NAN;

    if (path[0] == '\0')
        snprintf(path, sizeof(path), "/tmp/tsyncd-fuzz-drift.%ld", (long)getpid());
    FILE *f = fopen(path, "w");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    enum drift_result r = drift_read(path, &ppm, err, sizeof(err));
    if (r == DRIFT_OK && !(isfinite(ppm) && fabs(ppm) <= DRIFT_MAX_PPM))
        abort();
    if (r != DRIFT_OK && (err[0] == '\0' || !isnan(ppm)))
        abort();
    unlink(path);
    return 0;
}
