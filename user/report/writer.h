/* trace_run's writers, one per --format: table, JSON, CSV. */
#ifndef CT_REPORT_H
#define CT_REPORT_H
#include <stdio.h>

#include "ledger.h"

void report_table(FILE *f, const struct ct_report *r);
void report_json(FILE *f, const struct ct_report *r);
void report_csv(FILE *f, const struct ct_report *r);
/* A CSV row's columns before "side" (report_csv.c). */
void csv_prefix(FILE *f, const struct ct_report *r, const char *sec);
/* The time ledger part of each (report_time.c). */
void report_time_table(FILE *f, const struct ct_report *r);
void report_time_json(FILE *f, const struct ct_report *r);
void report_time_csv(FILE *f, const struct ct_report *r);
/* The tracer's own BPF run time, --bpf-stats (report_cost.c). */
void report_cost_table(FILE *f, const struct ct_report *r);
void report_cost_json(FILE *f, const struct ct_report *r);
void report_cost_csv(FILE *f, const struct ct_report *r);

#endif
