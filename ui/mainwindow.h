#pragma once

#include <QMainWindow>

#include "engine/enginestats.h"

class QLabel;

namespace fg {

// The window shell: listener address, ingest rate and stored counts, fed by the engine's stats signal.
// GUI thread only; it holds no engine pointer and never touches SQLite or sockets.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);

public slots:
    void showStats(const fg::EngineStats &stats);

private:
    QLabel *m_listen;
    QLabel *m_rate;
    QLabel *m_logs;
    QLabel *m_metrics;
    QLabel *m_requests;
    QLabel *m_database;
};

} // namespace fg
