#pragma once

#include <QSet>
#include <QStringList>

#include <map>

namespace fg {

// Decides which desktop notifications pop up, so that an alert storm is one bubble and not fifty: one
// per incident (an incident notified within the last kRepeatMs does not pop again), and at most one
// bubble per quiet spell (kQuietMs); what is held back is told at the end of that quiet spell as one "N more"
// summary. Plain logic on the caller's thread (the GUI thread), time passed in.
class NotificationCoalescer final {
public:
    static constexpr qint64 kQuietMs = 20'000;
    static constexpr qint64 kRepeatMs = 10 * 60'000;

    explicit NotificationCoalescer(qint64 quietMs = kQuietMs) : m_quietMs(quietMs) {}

    // True: show it now. False: it is held for the next summary.
    bool admit(qint64 incidentId, const QString &service, qint64 nowMs);
    // When the held notifications are due as a summary (0: none held).
    qint64 summaryDueMs() const;
    struct Summary {
        int count = 0;
        QStringList services; // distinct, in arrival order
        QList<qint64> incidents;
    };
    // The held notifications, forgotten; the summary counts as a bubble shown now.
    Summary takeSummary(qint64 nowMs);

private:
    qint64 m_quietMs;
    qint64 m_lastShownMs = -1;
    std::map<qint64, qint64> m_incidentSeenMs; // incident → when last notified (shown or held)
    Summary m_held;
};

} // namespace fg
