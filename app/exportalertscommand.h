#pragma once

#include <QStringList>

// `flowguard export-alerts --range 7d --output FILE.csv [--service S] [--level L] [--db PATH]`: the alert
// history as the CSV report (the same rows as GET /api/alerts/export.csv). Read-only: works beside a
// running instance.
int runExportAlertsCommand(const QStringList &arguments);
