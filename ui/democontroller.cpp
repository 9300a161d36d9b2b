#include "democontroller.h"

#include <QAction>
#include <QJsonObject>

namespace fg {

DemoController::DemoController(QObject *parent)
    : QObject(parent), m_toggle(new QAction(tr("Start &demo traffic"), this)), m_clear(new QAction(tr("C&lear demo data"), this))
{
    m_toggle->setObjectName(QStringLiteral("demoToggle"));
    m_clear->setObjectName(QStringLiteral("demoClear"));
    m_toggle->setEnabled(false);
    m_clear->setEnabled(false);
    m_toggle->setStatusTip(tr("Simulated services (demo-…) with a daily cycle and an incident every few minutes"));
    m_clear->setStatusTip(tr("Remove the demo services' logs, metrics, alerts and incidents; other data stays"));
    connect(m_toggle, &QAction::triggered, this, [this] { running() ? stop() : start(); });
    connect(m_clear, &QAction::triggered, this, &DemoController::clear);
}

DemoController::~DemoController() = default;

void DemoController::setTarget(const QUrl &listener, ApiClient::Transport api, const QSslCertificate &pinned)
{
    m_options.url = listener;
    m_options.pinnedCertificate = pinned;
    m_api.setTransport(std::move(api));
    m_toggle->setEnabled(true);
    m_clear->setEnabled(true);
}

void DemoController::start()
{
    if (!m_api.ready() || running())
        return;
    m_traffic = std::make_unique<inject::DemoTraffic>(m_options);
    connect(m_traffic.get(), &inject::DemoTraffic::runningChanged, this, &DemoController::trafficChanged);
    m_traffic->start();
}

void DemoController::stop()
{
    if (running()) {
        m_toggle->setEnabled(false); // until the traffic thread has ended
        m_traffic->stop();
    }
}

void DemoController::clear()
{
    if (!m_api.ready())
        return;
    m_clear->setEnabled(false);
    // What the traffic still sends would come back after the purge: stop it first.
    if (running()) {
        m_clearWhenStopped = true;
        stop();
        return;
    }
    sendClear();
}

void DemoController::trafficChanged(bool running)
{
    m_toggle->setText(running ? tr("Stop &demo traffic") : tr("Start &demo traffic"));
    m_toggle->setEnabled(true);
    emit runningChanged(running);
    if (!running && m_clearWhenStopped) {
        m_clearWhenStopped = false;
        sendClear();
    }
}

void DemoController::sendClear()
{
    m_api.send("DELETE", "/api/demo", {}, this, [this](int status, const QJsonObject &json, const QByteArray &) {
        m_clear->setEnabled(true);
        if (status != 200)
            return emit cleared(false, tr("Demo data not cleared: %1").arg(ApiClient::errorText(json)));
        emit cleared(true, tr("Demo data cleared: %1 log events, %2 alerts")
                               .arg(json.value(QStringLiteral("logs")).toInteger())
                               .arg(json.value(QStringLiteral("alerts")).toInteger()));
    });
}

} // namespace fg
