#pragma once

#include <QObject>
#include <QUrl>

#include <memory>

#include "apiclient.h"
#include "demotraffic.h"

class QAction;

namespace fg {

// The window's demo: Start/Stop demo traffic (played over HTTP into this FlowGuard's own listener from the
// traffic's thread) and Clear demo data (stops the traffic, then DELETE /api/demo). GUI thread; it only
// starts and stops the traffic thread and asks the API.
class DemoController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoController)
public:
    explicit DemoController(QObject *parent = nullptr);
    ~DemoController() override;

    // The listener the traffic goes to, and the API Clear asks. Set once the engine runs.
    // pinned: the listener's own certificate when it speaks HTTPS.
    void setTarget(const QUrl &listener, ApiClient::Transport api, const QSslCertificate &pinned = QSslCertificate());
    // Tests: accelerated time, other sizes. The URL is set by setTarget.
    void setTrafficOptions(const inject::DemoTraffic::Options &options) { m_options = options; }
    bool running() const { return m_traffic && m_traffic->running(); }
    inject::DemoTraffic *traffic() const { return m_traffic.get(); }
    QAction *toggleAction() const { return m_toggle; }
    QAction *clearAction() const { return m_clear; }

public slots:
    void start();
    void stop();
    void clear();

signals:
    void runningChanged(bool running);
    // Clear's answer: ok, and a line for the status bar.
    void cleared(bool ok, const QString &message);

private:
    void trafficChanged(bool running);
    void sendClear();

    inject::DemoTraffic::Options m_options;
    ApiClient m_api;
    std::unique_ptr<inject::DemoTraffic> m_traffic;
    QAction *m_toggle;
    QAction *m_clear;
    bool m_clearWhenStopped = false;
};

} // namespace fg
