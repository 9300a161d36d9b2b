#pragma once

#include <QWidget>

#include <functional>
#include <vector>

#include "apiclient.h"
#include "auth/apitoken.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace fg {

// Settings → API tokens: the tokens of this database (name, prefix, scopes, created, last used), a new
// one with its scopes (its secret shown once, with Copy), and revoking one. The token file beside the
// database is read and written on a pool thread, never here; the running engine picks changes up by
// itself. GUI thread.
class TokensPage final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokensPage)

public:
    explicit TokensPage(const ApiClient *api, QWidget *parent = nullptr);

    // Asks the engine where its database is, then lists the tokens.
    void reload();
    void create(const QString &name, TokenScopes scopes);
    void revokeSelected();
    const std::vector<ApiToken> &tokens() const { return m_tokens; }
    QTableWidget *table() const { return m_table; }
    // The secret of the token created last (shown once), empty otherwise.
    QString newSecret() const;
    QString message() const;

private:
    // Runs `work` (file I/O) on a pool thread and `done` here with its outcome, if this page still exists.
    void runOffThread(std::function<QString(std::vector<ApiToken> *, QByteArray *)> work);
    void showTokens(const std::vector<ApiToken> &tokens);

    const ApiClient *m_api;
    QString m_path; // <db>.tokens.json, empty until the engine said where the database is
    std::vector<ApiToken> m_tokens;
    QTableWidget *m_table;
    QLineEdit *m_name;
    QCheckBox *m_ingest;
    QCheckBox *m_read;
    QCheckBox *m_admin;
    QLineEdit *m_secret;
    QLabel *m_message;
};

} // namespace fg
