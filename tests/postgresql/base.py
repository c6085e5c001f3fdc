"""PostgreSQL for the test suite: Django's own backend, except in how a test empties the database.

A transactional test (browser journeys, real workers, live servers) ends with Django's `flush`,
which on PostgreSQL truncates every table: about a second for our ~100 tables however few rows
they hold, because TRUNCATE gives each table and index a new file. Deleting the rows instead
takes a few hundredths of a second for what a test leaves behind. Foreign keys are DEFERRABLE
INITIALLY DEFERRED (Django creates them so), so the deletes may run in any order inside the one
transaction `flush` opens. Resetting sequences still truncates, as Django does.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        keyword = style.SQL_KEYWORD
        return [f"{keyword('SET CONSTRAINTS ALL DEFERRED')};"] + [
            f"{keyword('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
