#pragma once

#include <QWidget>

#include "apiclient.h"

class QLabel;
class QTableWidget;

namespace fg {

// Settings → Tags: the user's tag rules (a tag, the words or phrases that earn it, an HTTP status from
// which it applies) beside the built-in ones, over GET/PUT /api/settings/tags. GUI thread.
class TagRulesPage final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TagRulesPage)

public:
    explicit TagRulesPage(const ApiClient *api, QWidget *parent = nullptr);

    void reload();
    void save();
    void addRule(const QString &tag, const QStringList &words, int minStatus);
    QJsonObject formJson() const;
    QTableWidget *rules() const { return m_rules; }
    QString message() const;

private:
    void fill(const QJsonObject &json);

    const ApiClient *m_api;
    QTableWidget *m_rules;
    QLabel *m_builtin;
    QLabel *m_message;
};

} // namespace fg
