<?php
// Support tickets of customers, each a subject and a thread of messages.
// Envelope: {"error":0,"result":...} / {"error":1,"code":"...","message":"..."}
if (!defined('ADMIN_API')) {
    http_response_code(404);
    exit;
}
require_once __DIR__ . '/../lib/api.php';
require_once __DIR__ . '/../lib/write.php';

const SUPPORT_SUBJECT_MAX = 150;
const SUPPORT_MESSAGE_MAX = 5000;

// The customer's tickets, newest first, each with its messages oldest first.
// Every ticket has a "messages" list, which is empty when it has no messages.
function support_tickets(PDO $pdo, int $customerId, ?int $ticketId = null): array
{
    $sql = 'SELECT id, customer_id, subject, status, created FROM tickets WHERE customer_id = ?';
    $args = [$customerId];
    if ($ticketId !== null) {
        $sql .= ' AND id = ?';
        $args[] = $ticketId;
    }
    $st = $pdo->prepare($sql . ' ORDER BY id DESC');
    $st->execute($args);
    $tickets = $st->fetchAll(PDO::FETCH_ASSOC);
    if (count($tickets) === 0) {
        return [];
    }

    $ids = array_column($tickets, 'id');
    $st = $pdo->prepare('SELECT id, ticket_id, author, body, created FROM ticket_messages WHERE ticket_id IN (' . db_placeholders($ids) . ') ORDER BY id');
    $st->execute($ids);
    $messages = [];
    foreach ($st->fetchAll(PDO::FETCH_ASSOC) as $m) {
        $messages[$m['ticket_id']][] = $m;
    }
    foreach ($tickets as &$t) {
        $t['messages'] = $messages[$t['id']] ?? [];
    }
    unset($t);
    return $tickets;
}

function support_list(?int $customerId): array
{
    return support_tickets(db(), write_customer($customerId));
}

// Opens a ticket with its first message and returns it.
function support_open(?int $customerId): array
{
    $customerId = write_customer($customerId);
    $subject = param_text('subject', SUPPORT_SUBJECT_MAX, true);
    $message = param_text('message', SUPPORT_MESSAGE_MAX, true, true);

    $request = ['subject' => $subject, 'message' => $message];
    return idempotent_write($customerId, 'open', $request, function (PDO $pdo) use ($customerId, $subject, $message) {
        $now = date('Y-m-d H:i:s');
        $pdo->prepare('INSERT INTO tickets (customer_id, subject, status, created) VALUES (?, ?, ?, ?)')
            ->execute([$customerId, $subject, 'open', $now]);
        $ticketId = (int) $pdo->lastInsertId();
        $pdo->prepare('INSERT INTO ticket_messages (ticket_id, author, body, created) VALUES (?, ?, ?, ?)')
            ->execute([$ticketId, 'customer', $message, $now]);
        return support_tickets($pdo, $customerId, $ticketId)[0];
    });
}

// Adds the customer's message to one of their own tickets and returns the
// ticket. Another customer's ticket is `not_found`, like a missing one.
function support_reply(?int $customerId): array
{
    $customerId = write_customer($customerId);
    $ticketId = param_id('ticket_id');
    if ($ticketId === null) {
        throw invalid('Missing parameter: ticket_id');
    }
    $message = param_text('message', SUPPORT_MESSAGE_MAX, true, true);

    $request = ['ticket_id' => $ticketId, 'message' => $message];
    return idempotent_write($customerId, 'reply', $request, function (PDO $pdo) use ($customerId, $ticketId, $message) {
        $st = $pdo->prepare('SELECT status FROM tickets WHERE id = ? AND customer_id = ?');
        $st->execute([$ticketId, $customerId]);
        $status = $st->fetchColumn();
        if ($status === false) {
            throw new ApiError('not_found', 'Ticket not found');
        }
        if ($status === 'closed') {
            throw new ApiError('closed', 'Ticket is closed');
        }
        $pdo->prepare('INSERT INTO ticket_messages (ticket_id, author, body, created) VALUES (?, ?, ?, ?)')
            ->execute([$ticketId, 'customer', $message, date('Y-m-d H:i:s')]);
        $pdo->prepare("UPDATE tickets SET status = 'open' WHERE id = ?")->execute([$ticketId]);
        return support_tickets($pdo, $customerId, $ticketId)[0];
    });
}

api_main(
    [
        'list' => ['customer', 'support_list'],
        'open' => ['customer', 'support_open'],
        'reply' => ['customer', 'support_reply'],
    ],
    fn ($data) => ['error' => 0, 'result' => $data],
    fn ($code, $msg) => ['error' => 1, 'code' => $code, 'message' => $msg],
    'result'
);
