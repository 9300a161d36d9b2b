#pragma once

#include <QWidget>

#include "apiclient.h"

class QComboBox;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace fg {

// Settings → Detection: sensitivity, how long a degradation must last to alert and to clear, the warm-up,
// and per-service SLOs, over GET/PUT /api/settings/detection (the engine applies them at once). GUI thread.
class DetectionSettingsPage final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetectionSettingsPage)

public:
    explicit DetectionSettingsPage(const ApiClient *api, QWidget *parent = nullptr);

    void reload();
    void save();
    // The document the form describes (what save() sends).
    QJsonObject formJson() const;
    QComboBox *sensitivity() const { return m_sensitivity; }
    QTableWidget *slos() const { return m_slos; }
    void addSlo(const QString &service, double p95Ms, double errorRatePercent);
    QString message() const;

private:
    void fill(const QJsonObject &json);

    const ApiClient *m_api;
    QComboBox *m_sensitivity;
    QSpinBox *m_for;
    QSpinBox *m_clear;
    QSpinBox *m_warmup;
    QTableWidget *m_slos;
    QLabel *m_message;
};

} // namespace fg
