#include "tokenspage.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDateTime>
#include <QTimeZone>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTableWidget>
#include <QThreadPool>
#include <QVBoxLayout>

#include "auth/tokenfile.h"
#include "timetext.h"

namespace fg {

namespace {
enum Column { Id, Name, Prefix, Scopes, Created, LastUsed, ColumnCount };
}

TokensPage::TokensPage(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_table(new QTableWidget(0, ColumnCount)), m_name(new QLineEdit),
      m_ingest(new QCheckBox(tr("Ingest: send logs and metrics"))), m_read(new QCheckBox(tr("Read: query the API"))),
      m_admin(new QCheckBox(tr("Admin: everything, including rules, channels and silences"))), m_secret(new QLineEdit),
      m_message(new QLabel)
{
    m_table->setObjectName(QStringLiteral("tokens"));
    m_table->setHorizontalHeaderLabels({tr("Id"), tr("Name"), tr("Prefix"), tr("Scopes"), tr("Created"), tr("Last used")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *intro = new QLabel(tr("Tokens let services and tools on other machines reach this listener (a token is "
                                "required on any address but loopback). Each is shown only once, when created."));
    intro->setWordWrap(true);
    m_name->setPlaceholderText(tr("collectors"));
    m_ingest->setChecked(true);
    m_secret->setReadOnly(true);
    m_secret->setObjectName(QStringLiteral("newSecret"));
    m_secret->setPlaceholderText(tr("The new token appears here, once"));
    auto *copy = new QPushButton(tr("Copy"));
    auto *secretRow = new QHBoxLayout;
    secretRow->addWidget(m_secret, 1);
    secretRow->addWidget(copy);
    auto *createButton = new QPushButton(tr("Create token"));
    auto *form = new QFormLayout;
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("Scopes:"), m_ingest);
    form->addRow(QString(), m_read);
    form->addRow(QString(), m_admin);
    form->addRow(createButton);
    form->addRow(tr("New token:"), secretRow);
    auto *box = new QGroupBox(tr("New token"));
    box->setLayout(form);
    auto *revoke = new QPushButton(tr("Revoke selected"));
    m_message->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_table, 1);
    layout->addWidget(revoke, 0, Qt::AlignLeft);
    layout->addWidget(box);
    layout->addWidget(m_message);
    connect(createButton, &QPushButton::clicked, this, [this] {
        TokenScopes scopes;
        if (m_ingest->isChecked())
            scopes |= TokenScope::Ingest;
        if (m_read->isChecked())
            scopes |= TokenScope::Read;
        if (m_admin->isChecked())
            scopes |= TokenScope::Admin;
        create(m_name->text().trimmed(), scopes);
    });
    connect(revoke, &QPushButton::clicked, this, &TokensPage::revokeSelected);
    connect(copy, &QPushButton::clicked, this, [this] {
        if (!m_secret->text().isEmpty())
            QApplication::clipboard()->setText(m_secret->text());
    });
}

QString TokensPage::newSecret() const { return m_secret->text(); }
QString TokensPage::message() const { return m_message->text(); }

void TokensPage::reload()
{
    m_api->get("/api/health", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return m_message->setText(ApiClient::errorText(json));
        const QString db = json.value(QStringLiteral("db")).toObject().value(QStringLiteral("path")).toString();
        m_path = TokenFile::pathFor(db);
        runOffThread([path = m_path](std::vector<ApiToken> *tokens, QByteArray *) {
            QString error;
            if (auto loaded = TokenFile(path).load(&error))
                *tokens = std::move(*loaded);
            return error;
        });
    });
}

void TokensPage::create(const QString &name, TokenScopes scopes)
{
    if (m_path.isEmpty())
        return m_message->setText(tr("FlowGuard is not running yet"));
    if (!scopes)
        return m_message->setText(tr("Choose at least one scope"));
    if (const QString bad = TokenFile::checkName(name); !bad.isEmpty())
        return m_message->setText(tr("Name: %1").arg(bad));
    runOffThread([path = m_path, name, scopes](std::vector<ApiToken> *tokens, QByteArray *secret) {
        TokenFile file(path);
        QString error;
        ApiToken created;
        if (auto s = file.create(name, scopes, &created, &error))
            *secret = *s;
        else
            return error;
        if (auto loaded = file.load(&error))
            *tokens = std::move(*loaded);
        return error;
    });
}

void TokensPage::revokeSelected()
{
    const int row = m_table->currentRow();
    if (m_path.isEmpty() || row < 0 || row >= int(m_tokens.size()))
        return;
    const QString id = QString::number(m_tokens[std::size_t(row)].id);
    runOffThread([path = m_path, id](std::vector<ApiToken> *tokens, QByteArray *) {
        TokenFile file(path);
        QString error;
        ApiToken revoked;
        if (!file.revoke(id, &revoked, &error))
            return error;
        if (auto loaded = file.load(&error))
            *tokens = std::move(*loaded);
        return error;
    });
}

void TokensPage::runOffThread(std::function<QString(std::vector<ApiToken> *, QByteArray *)> work)
{
    QPointer<TokensPage> self(this);
    QThreadPool::globalInstance()->start([self, work = std::move(work)] {
        std::vector<ApiToken> tokens;
        QByteArray secret;
        const QString error = work(&tokens, &secret);
        QMetaObject::invokeMethod(qApp, [self, tokens = std::move(tokens), secret, error] {
            if (!self)
                return;
            self->m_secret->setText(QString::fromLatin1(secret));
            self->m_message->setText(error.isEmpty() && !secret.isEmpty()
                                         ? tr("Created. Copy the token now: it is not shown again.")
                                         : error);
            if (error.isEmpty())
                self->showTokens(tokens);
        }, Qt::QueuedConnection);
    });
}

void TokensPage::showTokens(const std::vector<ApiToken> &tokens)
{
    m_tokens = tokens;
    m_table->setRowCount(int(tokens.size()));
    for (int row = 0; row < int(tokens.size()); ++row) {
        const ApiToken &t = tokens[std::size_t(row)];
        const QString cells[ColumnCount] = {QString::number(t.id), t.name, t.prefix + QStringLiteral("…"),
                                            scopeNames(t.scopes).join(QStringLiteral(", ")),
                                            localTime(QDateTime::fromMSecsSinceEpoch(t.createdAt / 1000000, QTimeZone::utc())),
                                            t.lastUsedAt ? localTime(QDateTime::fromMSecsSinceEpoch(t.lastUsedAt / 1000000, QTimeZone::utc())) : tr("never")};
        for (int c = 0; c < ColumnCount; ++c)
            m_table->setItem(row, c, new QTableWidgetItem(cells[c]));
    }
}

} // namespace fg
