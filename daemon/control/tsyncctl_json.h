// SPDX-License-Identifier: ISC
/*
 * tsyncctl --json (prefix ctljson_): each command's answer as one JSON object (RFC 8259) on one
 * line, pure functions from a snapshot to text like tsyncctl_format.h. Times are seconds since
 * 1970 (numbers) and ISO 8601 UTC strings; offsets, delays and dispersions are seconds; values
 * that are not finite are null. Strings are escaped, so any snapshot gives valid JSON.
 */
#ifndef TSYNC_DAEMON_TSYNCCTL_JSON_H
#define TSYNC_DAEMON_TSYNCCTL_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon/common/msg.h"

/* {"sources": [{...}, ...]}: every source with its table columns and details. */
void ctljson_sources(FILE *out, const struct msg_snapshot *snap);
/* {"sourcestats": [{...}]}: samples, frequency, skew, offset and its standard deviation. */
void ctljson_sourcestats(FILE *out, const struct msg_snapshot *snap);
/* {...}: the system variables of `tsyncctl tracking`. */
void ctljson_tracking(FILE *out, const struct msg_snapshot *snap);
/* {"synchronised": bool, "state": ..., "reason": ...}; returns the exit status as
 * ctlfmt_status(). */
int ctljson_status(FILE *out, const struct msg_snapshot *snap);
/* {"served": N, ...}: the server counters. */
void ctljson_serverstats(FILE *out, const struct msg_snapshot *snap);
/* {"metrics": [{"name", "type", "help", "samples": [{"labels": {...}, "value"}]}]}. */
void ctljson_metrics(FILE *out, const struct msg_snapshot *snap);

/* A JSON string literal of s (quotes included, control characters and non-ASCII escaped). */
void ctljson_string(FILE *out, const char *s);
/* A JSON number of v (%.15g), or null when v is not finite. */
void ctljson_number(FILE *out, double v);

#endif
