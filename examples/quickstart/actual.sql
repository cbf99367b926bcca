-- What production really has: the shop after a year of hotfixes.

DO $$
BEGIN
  CREATE ROLE shop_app;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE DOMAIN email AS text CHECK (VALUE ~ '^[^@\s]+@[^@\s]+$');

CREATE TABLE customers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       email NOT NULL UNIQUE,
    full_name   text NOT NULL,
    legacy_code varchar(20),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku         text NOT NULL UNIQUE,
    name        text NOT NULL,
    price       numeric(10,2) NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id    uuid NOT NULL DEFAULT gen_random_uuid(),
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    status       order_status NOT NULL DEFAULT 'pending',
    total        numeric(10,2) NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX orders_public_id_key ON orders (public_id);
CREATE INDEX orders_open_idx ON orders (created_at) WHERE status IN ('pending', 'paid');

CREATE TABLE order_items (
    order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id  bigint NOT NULL REFERENCES products (id),
    quantity    integer NOT NULL CHECK (quantity > 0),
    unit_price  numeric(10,2) NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER products_touch BEFORE INSERT OR UPDATE ON products
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE VIEW customer_revenue AS
  SELECT c.id AS customer_id, c.email, sum(o.total) AS revenue, count(*) AS orders
  FROM customers c
  JOIN orders o ON o.customer_id = c.id
  WHERE o.status <> 'cancelled'
  GROUP BY c.id, c.email;

GRANT USAGE ON SCHEMA public TO shop_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON customers, orders, order_items TO shop_app;
GRANT SELECT ON products, customer_revenue TO shop_app;
