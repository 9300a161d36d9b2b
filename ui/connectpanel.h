#pragma once

#include <QJsonObject>
#include <QMap>
#include <QTimer>
#include <QWidget>

#include "apiclient.h"
#include "clientformats.h"

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QTableView;

namespace fg {

class RejectionsModel;

// Connect a client: for each format FlowGuard ingests, the snippet to paste with this listener's address
// (and a token placeholder when tokens are required), a Copy button, and a checklist that ticks once a
// format has delivered its first items (/api/ingest/sources). Below, the ingest inspector: the requests
// refused lately, with reason and field (/api/ingest/rejections). Refreshes every 2 s while shown. GUI thread.
class ConnectPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectPanel)

public:
    explicit ConnectPanel(const ApiClient *api, QWidget *parent = nullptr);

    // "127.0.0.1:4318" as bound.
    void setListenAddress(const QString &address, bool tls = false); // tls: the listener speaks HTTPS only
    void refresh();
    void selectFormat(const QString &id);
    QString snippet() const;
    // Format ids whose first items have arrived.
    QStringList received() const;
    QListWidget *formats() const { return m_list; }
    RejectionsModel *rejections() const { return m_rejections; }
    void copySnippet();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void showFormat(int row);
    void applySources(const QJsonArray &items);

    const ApiClient *m_api;
    QList<ClientFormat> m_formats;
    QString m_baseUrl;
    bool m_tokenRequired = false;
    QMap<QString, QJsonObject> m_sources; // route → its /api/ingest/sources entry
    QListWidget *m_list;
    QLabel *m_title;
    QLabel *m_description;
    QPlainTextEdit *m_snippet;
    QLabel *m_progress;
    QTableView *m_table;
    QLabel *m_noRejections;
    RejectionsModel *m_rejections;
    QTimer m_timer;
};

} // namespace fg
