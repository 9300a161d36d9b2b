#pragma once

#include <QTimer>
#include <QWidget>

#include "alertfilter.h"

class QComboBox;
class QLineEdit;

namespace fg {

// The alert history's filters: service, level (at least), state, time range (presets or a custom window)
// and text. Says `changed` once per edit (typing settles for a moment first). GUI thread.
class AlertFilterBar final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertFilterBar)

public:
    explicit AlertFilterBar(QWidget *parent = nullptr);

    AlertFilter filter() const;
    // Offers these service names (those seen so far) in the service box; the typed text stays.
    void addServices(const QStringList &names);
    void setService(const QString &name);
    void setLevel(const QString &level);
    // "open", "" (all), "pending", "firing", "resolved".
    void setState(const QString &state);
    void setText(const QString &text);
    // The last `seconds` (a preset, or any length), or a fixed window.
    void setRange(qint64 seconds);
    void setWindow(const QDateTime &from, const QDateTime &to);

signals:
    void changed();

private:
    void chooseWindow();
    void setCombo(QComboBox *box, const QVariant &value);

    QComboBox *m_service;
    QComboBox *m_level;
    QComboBox *m_state;
    QComboBox *m_range;
    QLineEdit *m_text;
    QTimer m_typing;
    QDateTime m_from, m_to; // the custom window
    int m_lastRange = 0;
};

} // namespace fg
