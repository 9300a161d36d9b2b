#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace fg {

// What the alert history shows: the filters the table, the chart and the CSV export all ask the API
// with (/api/alerts, /api/alerts/histogram and /api/alerts/export.csv take the same parameters).
struct AlertFilter {
    QString service;         // exact name; empty: all
    QString level;           // at least this level; empty: all
    QString state;           // open, pending, firing, resolved; empty: all
    QString text;            // case-insensitive substring of service, endpoint, reason or explanation
    qint64 rangeSeconds = 0; // the last this many seconds; 0 with no custom window: everything
    QDateTime from, to;      // a custom window (UTC), used when both are valid

    bool customWindow() const { return from.isValid() && to.isValid(); }
    // The query string (no leading '?'), percent-encoded.
    QByteArray query() const;
    // The window covered at `now`: invalid `from` for everything.
    QDateTime windowFrom(const QDateTime &now) const;
    QDateTime windowTo(const QDateTime &now) const;
};

} // namespace fg
