-- People are found by name with or without diacritics, and with Đ/đ as D/d, the same way
-- on both backends: `users.name_folded` is the name without its marks, đ as d, lower case
-- (ASCII letters only are lowered, as SQLite's lower() does), kept by the database on every
-- write. The Rust side folds a query with the same table (`domain::text::fold_name`), and a
-- test checks both against each other.
ALTER TABLE users ADD COLUMN name_folded TEXT GENERATED ALWAYS AS (
    translate(full_name,
        'àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐABCDEFGHIJKLMNOPQRSTUVWXYZ',
        'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyydaaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyydabcdefghijklmnopqrstuvwxyz')
) STORED;
