//! The two serde serializers behind `copy`: `RowWriter` accepts only a struct (one row), `Scalar`
//! writes one scalar field as COPY text and refuses anything nested, which the row writer then
//! writes as JSON.

use std::fmt::Write as _;

use serde::ser::{self, Impossible, Serialize};

use super::{escape_into, CopyError, RowWriter, Scalar};

fn nested() -> CopyError {
    CopyError("nested value".to_owned())
}

fn not_a_row() -> CopyError {
    CopyError("a row must be a struct".to_owned())
}

/// The methods of a serializer that refuses every value it is not built for.
macro_rules! refuse {
    ($error:expr; $($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, CopyError> { Err($error) })*
    };
}

/// The compound values (all but structs) both serializers refuse.
macro_rules! refuse_compounds {
    ($error:expr) => {
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), CopyError> {
            Err($error)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, CopyError> {
            Err($error)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, CopyError> {
            Err($error)
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, CopyError> {
            Err($error)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, CopyError> {
            Err($error)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, CopyError> {
            Err($error)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, CopyError> {
            Err($error)
        }
    };
}

impl<'a> ser::Serializer for RowWriter<'a> {
    type Ok = ();
    type Error = CopyError;
    type SerializeSeq = Impossible<(), CopyError>;
    type SerializeTuple = Impossible<(), CopyError>;
    type SerializeTupleStruct = Impossible<(), CopyError>;
    type SerializeTupleVariant = Impossible<(), CopyError>;
    type SerializeMap = Impossible<(), CopyError>;
    type SerializeStruct = RowWriter<'a>;
    type SerializeStructVariant = Impossible<(), CopyError>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<RowWriter<'a>, CopyError> {
        Ok(self)
    }

    refuse!(not_a_row(); serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64),
        serialize_f32(f32), serialize_f64(f64), serialize_char(char), serialize_str(&str),
        serialize_bytes(&[u8]), serialize_none(), serialize_unit(), serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str));

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), CopyError> {
        Err(not_a_row())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result<(), CopyError> {
        Err(not_a_row())
    }
    refuse_compounds!(not_a_row());
}

impl Scalar<'_> {
    fn number(self, value: impl std::fmt::Display) -> Result<(), CopyError> {
        write!(self.out, "{value}").map_err(|e| CopyError(e.to_string()))
    }
}

impl ser::Serializer for Scalar<'_> {
    type Ok = ();
    type Error = CopyError;
    type SerializeSeq = Impossible<(), CopyError>;
    type SerializeTuple = Impossible<(), CopyError>;
    type SerializeTupleStruct = Impossible<(), CopyError>;
    type SerializeTupleVariant = Impossible<(), CopyError>;
    type SerializeMap = Impossible<(), CopyError>;
    type SerializeStruct = Impossible<(), CopyError>;
    type SerializeStructVariant = Impossible<(), CopyError>;

    fn serialize_bool(self, v: bool) -> Result<(), CopyError> {
        self.out.push(if v { 't' } else { 'f' });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), CopyError> {
        self.number(v)
    }
    fn serialize_char(self, v: char) -> Result<(), CopyError> {
        escape_into(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), CopyError> {
        escape_into(self.out, v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), CopyError> {
        self.out.push_str("\\N");
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), CopyError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), CopyError> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), CopyError> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), CopyError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Result<(), CopyError> {
        value.serialize(self)
    }

    refuse!(nested(); serialize_bytes(&[u8]));

    refuse_compounds!(nested());
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, CopyError> {
        Err(nested())
    }
}
