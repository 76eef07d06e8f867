CREATE TABLE "revocations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tx" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"session_id" text NOT NULL,
	"user_id" text NOT NULL,
	"reason" text NOT NULL,
	"ended_at" bigint NOT NULL,
	"session_expires_at" bigint NOT NULL,
	CONSTRAINT "revocations_session_id_unique" UNIQUE("session_id")
);
--> statement-breakpoint
CREATE INDEX "revocations_order_idx" ON "revocations" USING btree ("tx","id");--> statement-breakpoint
CREATE INDEX "revocations_ended_at_idx" ON "revocations" USING btree ("ended_at");